# Pirkėjo puslapių (mokėjimo puslapis, bandomasis bankas) ir pirkėjui siunčiamų el. laiškų tekstai lietuvių kalba.
# Formatas: vienas pranešimas eilutėje, `key = text`. Kiekvieną `{ $name }` vietos rezervavimo ženklą palikite nepakeistą;
# kitų kalbų failuose turi būti lygiai tie patys raktai ir vietos rezervavimo ženklai.

language-switcher = Kalba

pay-title = Mokėjimas gavėjui { $merchant }
pay-heading = Mokėjimas gavėjui { $merchant }
pay-amount = Suma
pay-reference = Įmokos kodas
pay-description = Aprašymas
pay-valid-until = Nuoroda galioja iki { $date }
pay-choose = Pasirinkite mokėjimo būdą
pay-bank-links = El. bankininkystė
pay-cards = Mokėjimas kortele
pay-with = Mokėti: { $method }
pay-email = El. paštas kvitui gauti (neprivaloma)
pay-email-hint = Kvitą išsiųsime šiuo adresu.
pay-redirect-note = Mokėjimui patvirtinti būsite nukreipti į savo banko arba kortelės išdavėjo puslapį, o po to grįšite čia.
pay-no-methods = Ši parduotuvė šiuo metu neturi galimų mokėjimo būdų. Bandykite vėliau.
pay-secure = Saugus mokėjimas per mokėjimo paslaugų teikėją.
pay-test-label = Bandomasis mokėjimas
pay-test-mode = Bandomasis mokėjimas: pinigai nenuskaitomi. Bandomasis bankas parodo, ką matytų pirkėjas.
pay-cannot-take-payments = Ši parduotuvė dar negali priimti mokėjimų. Susisiekite su parduotuve.

country-EE = Estija
country-LV = Latvija
country-LT = Lietuva
country-FI = Suomija

result-paid-title = Mokėjimas gautas
result-paid-text = Ačiū! { $merchant } gavo Jūsų { $amount } mokėjimą.
result-receipt = Kvitas siunčiamas adresu { $email }.
result-payment-id = Mokėjimo ID: { $id }
result-failed-title = Mokėjimas neįvykdytas
result-failed-text = Mokėjimas buvo atšauktas arba atmestas, pinigai nenuskaičiuoti. Galite bandyti dar kartą tuo pačiu arba kitu būdu.
result-expired-text = Mokėjimas nebuvo užbaigtas laiku, pinigai nenuskaičiuoti. Galite pradėti iš naujo.
result-pending-title = Laukiama banko patvirtinimo
result-pending-text = Jūsų bankas dar nepatvirtino mokėjimo. Po akimirkos atnaujinkite šį puslapį.

link-paid-title = Jau apmokėta
link-paid-text = Pagal šią mokėjimo nuorodą jau sumokėta. Daugiau nieko daryti nereikia.
link-expired-title = Nuorodos galiojimo laikas baigėsi
link-expired-text = Ši mokėjimo nuoroda nebegalioja. Paprašykite pardavėjo naujos.
link-deactivated-title = Ši nuoroda nebeaktyvi
link-deactivated-text = Pardavėjas atšaukė šią mokėjimo nuorodą.
link-deactivated-message = Pardavėjo žinutė:
link-unknown-title = Mokėjimo nuoroda nerasta
link-unknown-text = Patikrinkite, ar atidarėte visą adresą iš gauto el. laiško ar žinutės.

error-title = Įvyko klaida
error-choose-method = Pasirinkite mokėjimo būdą.
error-method-unavailable = Šis mokėjimo būdas negalimas. Pasirinkite kitą.
error-below-minimum = Šiuo mokėjimo būdu tokių mažų mokėjimų atlikti negalima. Pasirinkite kitą.
error-no-connector = Ši parduotuvė dar negali priimti mokėjimų. Susisiekite su parduotuve.
error-email = Įveskite el. pašto adresą, pvz., vardas@example.com, arba palikite lauką tuščią.
error-internal = Mūsų pusėje įvyko klaida, pinigai nenuskaičiuoti. Bandykite dar kartą po akimirkos.
error-too-many = Per daug mokėjimo bandymų per trumpą laiką. Palaukite 10 minučių ir bandykite dar kartą.
error-try-again = Grįžti į mokėjimą

bank-title = { $bank } (bandomasis bankas)
bank-notice = Imituotas bankas mokėjimams išbandyti: tikri pinigai nepervedami.
bank-pay-to = Mokėjimas gavėjui { $merchant }
bank-approve = Patvirtinti mokėjimą
bank-decline = Atmesti
bank-cancel = Atšaukti ir grįžti
card-title = Mokėjimas kortele (bandymas)
card-number = Kortelės numeris
card-expiry = Galioja iki
card-cvc = Saugos kodas
card-test-values = Bandomosios kortelės duomenys užpildyti.
card-continue = Tęsti
tds-title = 3-D Secure patvirtinimas
tds-text = Jūsų kortelės išdavėjas prašo patvirtinti šį { $amount } mokėjimą gavėjui { $merchant }. Įveskite kodą { $code }.
tds-code = Patvirtinimo kodas
tds-confirm = Patvirtinti
tds-wrong-code = Kodas neteisingas. Įveskite { $code }.
bank-done = Dėl šio mokėjimo bankas jau priėmė sprendimą.

invoice-subject = Sąskaita apmokėti: { $amount } ({ $merchant })
invoice-greeting = Sveiki, { $name },
invoice-greeting-plain = Sveiki,
invoice-text = { $merchant } prašo Jūsų sumokėti { $amount }.
invoice-reference = Įmokos kodas: { $reference }
invoice-description = Aprašymas: { $description }
invoice-valid-until = Nuoroda galioja iki { $date }.
invoice-button = Mokėti dabar
mail-link-fallback = Jei mygtukas neveikia, atidarykite šį adresą:

receipt-subject = Kvitas: { $amount } gavėjui { $merchant }
receipt-text = Dėkojame už mokėjimą. { $merchant } jį gavo.
receipt-amount = Suma: { $amount }
receipt-reference = Įmokos kodas: { $reference }
receipt-method = Mokėjimo būdas: { $method }
receipt-date = Data: { $date }
receipt-id = Mokėjimo ID: { $id }
mail-signature = Šį el. laišką įmonės { $merchant } vardu išsiuntė jos mokėjimo paslaugų teikėjas.
