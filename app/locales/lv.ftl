# Pircēja lapu (maksājuma lapa, testa banka) un pircējam sūtīto e-pastu teksti latviešu valodā.
# Formāts: viens ziņojums rindā, `key = text`. Saglabājiet katru `{ $name }` vietturi nemainītu;
# pārējos valodu failos jābūt tieši tādām pašām atslēgām un vietturiem.

language-switcher = Valoda

pay-title = Maksājums saņēmējam { $merchant }
pay-heading = Maksājums saņēmējam { $merchant }
pay-amount = Summa
pay-reference = Atsauce
pay-description = Apraksts
pay-valid-until = Saite derīga līdz { $date }
pay-choose = Izvēlieties maksājuma veidu
pay-bank-links = Internetbankas
pay-cards = Maksājums ar karti
pay-with = Maksāt ar { $method }
pay-email = E-pasts čeka saņemšanai (nav obligāts)
pay-email-hint = Čeku nosūtīsim uz šo adresi.
pay-redirect-note = Maksājuma apstiprināšanai atvērsies Jūsu bankas vai kartes izdevēja lapa, pēc tam Jūs atgriezīsieties šeit.
pay-no-methods = Šim veikalam pašlaik nav pieejamu maksājuma veidu. Lūdzu, mēģiniet vēlāk.
pay-secure = Drošs maksājums ar maksājumu pakalpojumu sniedzēja starpniecību.
pay-test-label = Testa maksājums
pay-test-mode = Testa maksājums: nauda netiek iekasēta. Testa banka parāda, ko redzētu pircējs.
pay-cannot-take-payments = Šis veikals vēl nevar pieņemt maksājumus. Lūdzu, sazinieties ar veikalu.

country-EE = Igaunija
country-LV = Latvija
country-LT = Lietuva
country-FI = Somija

result-paid-title = Maksājums saņemts
result-paid-text = Paldies! { $merchant } ir saņēmis Jūsu maksājumu { $amount } apmērā.
result-receipt = Čeks tiek nosūtīts uz { $email }.
result-payment-id = Maksājuma ID: { $id }
result-failed-title = Maksājums nav veikts
result-failed-text = Maksājums tika atcelts vai noraidīts, un nauda netika noņemta. Varat mēģināt vēlreiz ar to pašu vai citu maksājuma veidu.
result-expired-text = Maksājums netika pabeigts laikā, un nauda netika noņemta. Varat sākt no jauna.
result-pending-title = Gaidām bankas apstiprinājumu
result-pending-text = Jūsu banka vēl nav apstiprinājusi maksājumu. Pēc brīža atsvaidziniet šo lapu.

link-paid-title = Jau apmaksāts
link-paid-text = Šī maksājuma saite jau ir apmaksāta. Nekas vairāk nav jādara.
link-expired-title = Saites derīguma termiņš ir beidzies
link-expired-text = Šī maksājuma saite vairs nav derīga. Lūdziet pārdevējam jaunu.
link-deactivated-title = Šī saite vairs nav aktīva
link-deactivated-text = Pārdevējs ir atsaucis šo maksājuma saiti.
link-deactivated-message = Pārdevēja ziņa:
link-unknown-title = Maksājuma saite nav atrasta
link-unknown-text = Pārbaudiet, vai atvērāt pilnu adresi no saņemtā e-pasta vai ziņas.

error-title = Radās kļūda
error-choose-method = Izvēlieties maksājuma veidu.
error-method-unavailable = Šis maksājuma veids nav pieejams. Izvēlieties citu.
error-below-minimum = Šis maksājuma veids nepieņem tik mazus maksājumus. Izvēlieties citu.
error-no-connector = Šis veikals vēl nevar pieņemt maksājumus. Lūdzu, sazinieties ar veikalu.
error-email = Ievadiet e-pasta adresi, piemēram, vards@example.com, vai atstājiet lauku tukšu.
error-internal = Mūsu pusē radās kļūda, un nauda netika noņemta. Pēc brīža mēģiniet vēlreiz.
error-too-many = Pārāk daudz maksājuma mēģinājumu īsā laikā. Uzgaidiet 10 minūtes un mēģiniet vēlreiz.
error-try-again = Atpakaļ uz maksājumu

bank-title = { $bank } (testa banka)
bank-notice = Simulēta banka maksājumu izmēģināšanai: īsta nauda netiek pārskaitīta.
bank-pay-to = Maksājums saņēmējam { $merchant }
bank-approve = Apstiprināt maksājumu
bank-decline = Noraidīt
bank-cancel = Atcelt un atgriezties
card-title = Maksājums ar karti (tests)
card-number = Kartes numurs
card-expiry = Derīga līdz
card-cvc = Drošības kods
card-test-values = Testa kartes dati ir aizpildīti.
card-continue = Turpināt
tds-title = 3-D Secure apstiprinājums
tds-text = Jūsu kartes izdevējs lūdz apstiprināt šo maksājumu { $amount } apmērā saņēmējam { $merchant }. Ievadiet kodu { $code }.
tds-code = Apstiprinājuma kods
tds-confirm = Apstiprināt
tds-wrong-code = Kods nav pareizs. Ievadiet { $code }.
bank-done = Par šo maksājumu bankā jau ir pieņemts lēmums.

invoice-subject = Rēķins no { $merchant }: { $amount }
invoice-greeting = Labdien, { $name }!
invoice-greeting-plain = Labdien!
invoice-text = { $merchant } lūdz Jūs samaksāt { $amount }.
invoice-reference = Atsauce: { $reference }
invoice-description = Apraksts: { $description }
invoice-valid-until = Saite ir derīga līdz { $date }.
invoice-button = Maksāt tagad
mail-link-fallback = Ja poga nedarbojas, atveriet šo adresi:

receipt-subject = Čeks: { $amount } saņēmējam { $merchant }
receipt-text = Paldies par maksājumu! { $merchant } to ir saņēmis.
receipt-amount = Summa: { $amount }
receipt-reference = Atsauce: { $reference }
receipt-method = Maksājuma veids: { $method }
receipt-date = Datums: { $date }
receipt-id = Maksājuma ID: { $id }
mail-signature = Šo e-pastu uzņēmuma { $merchant } vārdā nosūtīja tā maksājumu pakalpojumu sniedzējs.
