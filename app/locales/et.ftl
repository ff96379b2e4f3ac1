# Ostja lehtede (makseleht, testpank) ja ostjale saadetavate e-kirjade tekstid eesti keeles.
# Vorming: üks sõnum rea kohta, `key = text`. Jätke iga `{ $name }` kohatäide muutmata;
# teistes keelefailides peavad olema täpselt samad võtmed ja kohatäited.

language-switcher = Keel

pay-title = Makse saajale { $merchant }
pay-heading = Makse saajale { $merchant }
pay-amount = Summa
pay-reference = Viitenumber
pay-description = Selgitus
pay-valid-until = Link kehtib kuni { $date }
pay-choose = Valige makseviis
pay-bank-links = Pangalingid
pay-cards = Kaardimakse
pay-with = Maksa: { $method }
pay-email = E-posti aadress kviitungi saamiseks (valikuline)
pay-email-hint = Saadame kviitungi sellele aadressile.
pay-redirect-note = Makse kinnitamiseks suunatakse Teid oma panga või kaardi väljastaja lehele ning seejärel tagasi siia.
pay-no-methods = Selles poes pole praegu ühtegi makseviisi saadaval. Proovige hiljem uuesti.
pay-secure = Turvaline makse makseteenuse pakkuja kaudu.
pay-test-label = Testmakse
pay-test-mode = Testmakse: raha ei võeta. Testpank näitab, mida ostja näeks.
pay-cannot-take-payments = See pood ei saa veel makseid vastu võtta. Palun võtke poega ühendust.

country-EE = Eesti
country-LV = Läti
country-LT = Leedu
country-FI = Soome

result-paid-title = Makse on laekunud
result-paid-text = Täname! { $merchant } on Teie makse summas { $amount } kätte saanud.
result-receipt = Kviitung saadetakse aadressile { $email }.
result-payment-id = Makse ID: { $id }
result-failed-title = Makse jäi tegemata
result-failed-text = Makse tühistati või lükati tagasi ning raha ei võetud. Võite uuesti proovida sama või mõne muu makseviisiga.
result-expired-text = Makset ei lõpetatud õigeaegselt ning raha ei võetud. Võite uuesti alustada.
result-pending-title = Ootame panga kinnitust
result-pending-text = Teie pank pole makset veel kinnitanud. Laadige see leht hetke pärast uuesti.

link-paid-title = Juba makstud
link-paid-text = See makselink on juba makstud. Rohkem pole vaja midagi teha.
link-expired-title = Selle lingi kehtivus on lõppenud
link-expired-text = See makselink ei kehti enam. Küsige müüjalt uus link.
link-deactivated-title = See link pole enam aktiivne
link-deactivated-text = Müüja on selle makselingi tagasi võtnud.
link-deactivated-message = Müüja sõnum:
link-unknown-title = Makselinki ei leitud
link-unknown-text = Kontrollige, kas avasite saadud e-kirjast või sõnumist kogu aadressi.

error-title = Midagi läks valesti
error-choose-method = Valige makseviis.
error-method-unavailable = See makseviis pole saadaval. Valige mõni muu.
error-below-minimum = See makseviis ei võta nii väikeseid makseid vastu. Valige mõni muu.
error-no-connector = See pood ei saa veel makseid vastu võtta. Palun võtke poega ühendust.
error-email = Sisestage e-posti aadress kujul nimi@example.com või jätke väli tühjaks.
error-internal = Meie poolel tekkis viga ning raha ei võetud. Proovige hetke pärast uuesti.
error-too-many = Liiga palju maksekatseid lühikese aja jooksul. Oodake 10 minutit ja proovige uuesti.
error-try-again = Tagasi makse juurde

bank-title = { $bank } (testpank)
bank-notice = Simuleeritud pank maksete proovimiseks: päris raha ei liigu.
bank-pay-to = Makse saajale { $merchant }
bank-approve = Kinnita makse
bank-decline = Keeldu
bank-cancel = Katkesta ja naase
card-title = Kaardimakse (test)
card-number = Kaardi number
card-expiry = Kehtib kuni
card-cvc = Turvakood
card-test-values = Testkaardi andmed on eeltäidetud.
card-continue = Jätka
tds-title = 3-D Secure kinnitus
tds-text = Teie kaardi väljastaja palub Teil kinnitada makse summas { $amount } saajale { $merchant }. Sisestage kood { $code }.
tds-code = Kinnituskood
tds-confirm = Kinnita
tds-wrong-code = Kood ei ole õige. Sisestage { $code }.
bank-done = Selle makse kohta on pangas juba otsus tehtud.

invoice-subject = Arve saatjalt { $merchant }: { $amount }
invoice-greeting = Tere, { $name }!
invoice-greeting-plain = Tere!
invoice-text = { $merchant } palub Teil tasuda { $amount }.
invoice-reference = Viitenumber: { $reference }
invoice-description = Selgitus: { $description }
invoice-valid-until = Link kehtib kuni { $date }.
invoice-button = Maksa kohe
mail-link-fallback = Kui nupp ei tööta, avage see aadress:

receipt-subject = Kviitung: { $amount } saajale { $merchant }
receipt-text = Täname makse eest. { $merchant } on selle kätte saanud.
receipt-amount = Summa: { $amount }
receipt-reference = Viitenumber: { $reference }
receipt-method = Makseviis: { $method }
receipt-date = Kuupäev: { $date }
receipt-id = Makse ID: { $id }
mail-signature = Selle e-kirja saatis ettevõtte { $merchant } nimel tema makseteenuse pakkuja.
