# Texts of the buyer's pages (payment page, test bank) and the buyer's e-mails, in English.
# Format: one message per line, `key = text`. Keep every `{ $name }` placeholder as it is;
# the other language files must have exactly the same keys and placeholders.

language-switcher = Language

pay-title = Payment to { $merchant }
pay-heading = Pay { $merchant }
pay-amount = Amount
pay-reference = Reference
pay-description = Description
pay-valid-until = Link valid until { $date }
pay-choose = Choose how to pay
pay-bank-links = Bank links
pay-cards = Card payment
pay-with = Pay with { $method }
pay-email = E-mail for the receipt (optional)
pay-email-hint = We send the receipt to this address.
pay-redirect-note = You will go to your bank's or card issuer's page to confirm the payment, and come back here afterwards.
pay-no-methods = This shop has no payment methods open at the moment. Try again later.
pay-secure = Secure payment through the payment service provider.
pay-test-label = Test payment
pay-test-mode = Test payment: no money is taken. The test bank shows what a buyer would see.
pay-cannot-take-payments = This shop cannot take payments yet. Please contact the shop.

country-EE = Estonia
country-LV = Latvia
country-LT = Lithuania
country-FI = Finland

result-paid-title = Payment received
result-paid-text = Thank you. { $merchant } has received your payment of { $amount }.
result-receipt = A receipt is on its way to { $email }.
result-payment-id = Payment ID: { $id }
result-failed-title = Payment not completed
result-failed-text = The payment was cancelled or declined, and no money was taken. You can try again, with the same or another method.
result-expired-text = The payment was not finished in time, and no money was taken. You can start again.
result-pending-title = Waiting for the bank
result-pending-text = Your bank has not confirmed the payment yet. Reload this page in a moment.

link-paid-title = Already paid
link-paid-text = This payment link has already been paid. There is nothing more to do.
link-expired-title = This link has expired
link-expired-text = This payment link is no longer valid. Ask the seller for a new one.
link-deactivated-title = This link is no longer active
link-deactivated-text = The seller has withdrawn this payment link.
link-deactivated-message = Message from the seller:
link-unknown-title = Payment link not found
link-unknown-text = Check that you opened the whole address from the e-mail or message you received.

error-title = Something went wrong
error-choose-method = Choose a payment method.
error-method-unavailable = This payment method is not available. Choose another one.
error-below-minimum = This payment method does not take payments this small. Choose another one.
error-no-connector = This shop cannot take payments yet. Please contact the shop.
error-email = Enter an e-mail address like name@example.com, or leave the field empty.
error-internal = Something went wrong on our side and no money was taken. Try again in a moment.
error-too-many = Too many payment attempts in a short time. Wait 10 minutes and try again.
error-try-again = Back to the payment

bank-title = { $bank } (test bank)
bank-notice = A simulated bank for trying payments out: no real money moves.
bank-pay-to = Payment to { $merchant }
bank-approve = Approve the payment
bank-decline = Decline
bank-cancel = Cancel and return
card-title = Card payment (test)
card-number = Card number
card-expiry = Valid until
card-cvc = Security code
card-test-values = Test card details are filled in.
card-continue = Continue
tds-title = 3-D Secure confirmation
tds-text = Your card issuer asks you to confirm this payment of { $amount } to { $merchant }. Enter the code { $code }.
tds-code = Confirmation code
tds-confirm = Confirm
tds-wrong-code = The code does not match. Enter { $code }.
bank-done = This payment has already been decided at the bank.

invoice-subject = Invoice from { $merchant }: { $amount }
invoice-greeting = Hello { $name },
invoice-greeting-plain = Hello,
invoice-text = { $merchant } asks you to pay { $amount }.
invoice-reference = Reference: { $reference }
invoice-description = Description: { $description }
invoice-valid-until = The link is valid until { $date }.
invoice-button = Pay now
mail-link-fallback = If the button does not work, open this address:

receipt-subject = Receipt: { $amount } to { $merchant }
receipt-text = Thank you for your payment. { $merchant } has received it.
receipt-amount = Amount: { $amount }
receipt-reference = Reference: { $reference }
receipt-method = Payment method: { $method }
receipt-date = Date: { $date }
receipt-id = Payment ID: { $id }
mail-signature = This e-mail was sent on behalf of { $merchant } by its payment service provider.
