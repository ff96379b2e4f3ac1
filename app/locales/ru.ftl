# Тексты страниц покупателя (платёжная страница, тестовый банк) и писем покупателю на русском языке.
# Формат: одно сообщение в строке, `key = text`. Оставляйте каждый заполнитель `{ $name }` без изменений;
# в файлах других языков должны быть точно те же ключи и заполнители.

language-switcher = Язык

pay-title = Платёж получателю { $merchant }
pay-heading = Оплата: { $merchant }
pay-amount = Сумма
pay-reference = Ссылочный номер
pay-description = Описание
pay-valid-until = Ссылка действительна до { $date }
pay-choose = Выберите способ оплаты
pay-bank-links = Интернет-банки
pay-cards = Оплата картой
pay-with = Оплатить через { $method }
pay-email = Эл. почта для квитанции (необязательно)
pay-email-hint = Мы отправим квитанцию на этот адрес.
pay-redirect-note = Для подтверждения платежа Вы перейдёте на страницу своего банка или эмитента карты, а затем вернётесь сюда.
pay-no-methods = В этом магазине сейчас нет доступных способов оплаты. Попробуйте позже.
pay-secure = Безопасная оплата через поставщика платёжных услуг.
pay-test-label = Тестовый платёж
pay-test-mode = Тестовый платёж: деньги не списываются. Тестовый банк показывает, что увидел бы покупатель.
pay-cannot-take-payments = Этот магазин пока не может принимать платежи. Пожалуйста, свяжитесь с магазином.

country-EE = Эстония
country-LV = Латвия
country-LT = Литва
country-FI = Финляндия

result-paid-title = Платёж получен
result-paid-text = Спасибо! Получатель { $merchant } получил Ваш платёж на сумму { $amount }.
result-receipt = Квитанция отправляется на адрес { $email }.
result-payment-id = ID платежа: { $id }
result-failed-title = Платёж не выполнен
result-failed-text = Платёж был отменён или отклонён, деньги не списаны. Вы можете повторить попытку тем же или другим способом.
result-expired-text = Платёж не был завершён вовремя, деньги не списаны. Вы можете начать заново.
result-pending-title = Ожидаем подтверждения банка
result-pending-text = Ваш банк ещё не подтвердил платёж. Обновите эту страницу через минуту.

link-paid-title = Уже оплачено
link-paid-text = Эта платёжная ссылка уже оплачена. Больше ничего делать не нужно.
link-expired-title = Срок действия ссылки истёк
link-expired-text = Эта платёжная ссылка больше не действительна. Попросите у продавца новую.
link-deactivated-title = Эта ссылка больше не активна
link-deactivated-text = Продавец отозвал эту платёжную ссылку.
link-deactivated-message = Сообщение от продавца:
link-unknown-title = Платёжная ссылка не найдена
link-unknown-text = Проверьте, что Вы открыли полный адрес из полученного письма или сообщения.

error-title = Что-то пошло не так
error-choose-method = Выберите способ оплаты.
error-method-unavailable = Этот способ оплаты недоступен. Выберите другой.
error-below-minimum = Этот способ оплаты не принимает такие маленькие платежи. Выберите другой.
error-no-connector = Этот магазин пока не может принимать платежи. Пожалуйста, свяжитесь с магазином.
error-email = Введите адрес эл. почты, например name@example.com, или оставьте поле пустым.
error-internal = На нашей стороне произошла ошибка, деньги не списаны. Попробуйте ещё раз через минуту.
error-too-many = Слишком много попыток оплаты за короткое время. Подождите 10 минут и попробуйте снова.
error-try-again = Вернуться к оплате

bank-title = { $bank } (тестовый банк)
bank-notice = Имитация банка для проверки платежей: реальные деньги не переводятся.
bank-pay-to = Платёж получателю { $merchant }
bank-approve = Подтвердить платёж
bank-decline = Отклонить
bank-cancel = Отменить и вернуться
card-title = Оплата картой (тест)
card-number = Номер карты
card-expiry = Действительна до
card-cvc = Код безопасности
card-test-values = Данные тестовой карты заполнены.
card-continue = Продолжить
tds-title = Подтверждение 3-D Secure
tds-text = Эмитент Вашей карты просит подтвердить платёж на сумму { $amount } получателю { $merchant }. Введите код { $code }.
tds-code = Код подтверждения
tds-confirm = Подтвердить
tds-wrong-code = Код не совпадает. Введите { $code }.
bank-done = По этому платежу банк уже принял решение.

invoice-subject = Счёт от { $merchant }: { $amount }
invoice-greeting = Здравствуйте, { $name }!
invoice-greeting-plain = Здравствуйте!
invoice-text = { $merchant } просит Вас оплатить { $amount }.
invoice-reference = Ссылочный номер: { $reference }
invoice-description = Описание: { $description }
invoice-valid-until = Ссылка действительна до { $date }.
invoice-button = Оплатить сейчас
mail-link-fallback = Если кнопка не работает, откройте этот адрес:

receipt-subject = Квитанция: { $amount }, получатель { $merchant }
receipt-text = Спасибо за оплату. Получатель { $merchant } получил Ваш платёж.
receipt-amount = Сумма: { $amount }
receipt-reference = Ссылочный номер: { $reference }
receipt-method = Способ оплаты: { $method }
receipt-date = Дата: { $date }
receipt-id = ID платежа: { $id }
mail-signature = Это письмо отправлено поставщиком платёжных услуг от имени { $merchant }.
