"""Everything the assistant says, in Polish and English, written once.

Polish texts address one person as "Pan/Pani" (singular verbs: "loguje się Pan/Pani") and a
company as "Państwo" (plural verbs: "logują się Państwo"): `[[one|many]]` holds both forms, verb
included, and `say()` picks one. The register is the conversation's, decided once (turn.py);
tests/actions/test_register.py renders every text in both and checks the verbs agree. `{name}` fields are
filled from the arguments. Company facts (addresses, hours) come from
company.yml through `facts`.
"""
from __future__ import annotations

import re
from typing import Any

_REGISTER = re.compile(r"\[\[([^|\]]*)\|([^\]]*)\]\]")

PROBLEM_BUTTONS = {
    "pl": [("Nie pamiętam hasła", "/forgot_password"), ("Skrzynka e-mail z konta nie działa", "/email_not_working"),
           ("Nie znam ani e-maila, ani hasła", "/no_login_data")],
    "en": [("I forgot my password", "/forgot_password"), ("The account's mailbox is dead", "/email_not_working"),
           ("I know neither the e-mail nor the password", "/no_login_data")],
}
ALTERNATIVE_BUTTONS = {
    "pl": [("Wyślę dokumenty", "/ask_documents"), ("Rozmowa z pracownikiem", "/request_human"),
           ("Kontakt telefoniczny", "/ask_contact")],
    "en": [("I'll send documents", "/ask_documents"), ("Talk to a person", "/request_human"),
           ("Phone contact", "/ask_contact")],
}
YES_NO = {"pl": [("Tak", "/affirm"), ("Nie", "/deny")], "en": [("Yes", "/affirm"), ("No", "/deny")]}
ACCOUNT_TYPE_BUTTONS = {
    "pl": [("Osoba prywatna", "/account_private"), ("Firma lub organizacja", "/account_company")],
    "en": [("A private person", "/account_private"), ("A company or organisation", "/account_company")],
}
HAS_PHONE_BUTTONS = {
    "pl": [("Tak, mam ten telefon", "/affirm"), ("Nie mam już tego numeru", "/no_phone_access")],
    "en": [("Yes, I have that phone", "/affirm"), ("I no longer have that number", "/no_phone_access")],
}
CODE_BUTTONS = {"pl": [("Kod nie przyszedł", "/code_not_received")],
                "en": [("The code didn't arrive", "/code_not_received")]}
RESEND_BUTTONS = {
    "pl": [("Wyślij nowy kod", "/resend_code"), ("Zadzwońcie z kodem", "/request_call"),
           ("Wyślę dokumenty", "/ask_documents"), ("Rozmowa z pracownikiem", "/request_human")],
    "en": [("Send a new code", "/resend_code"), ("Call me with the code", "/request_call"),
           ("I'll send documents", "/ask_documents"), ("Talk to a person", "/request_human")],
}
CALL_BUTTONS = {"pl": [("Nie odebrałem", "/call_missed"), ("Wolę SMS", "/use_sms")],
                "en": [("I missed the call", "/call_missed"), ("I'd rather get an SMS", "/use_sms")]}
RESET_TROUBLE_BUTTONS = {
    "pl": [("Nie wiem, jaki adres jest w koncie", "/no_login_data"),
           ("Ta skrzynka nie działa", "/email_not_working")],
    "en": [("I don't know which address is on the account", "/no_login_data"),
           ("That mailbox is dead", "/email_not_working")],
}

TEXTS: dict[str, dict[str, str]] = {
    "greet": {
        "pl": "Dzień dobry! Pomagam odzyskać dostęp do Panelu Klienta. Co się stało?",
        "en": "Hello! I help customers get back into the Client Panel. What happened?"},
    "ask_problem": {
        "pl": "W czym mogę pomóc? Proszę wybrać albo opisać sytuację własnymi słowami.",
        "en": "How can I help? Please choose or describe the situation in your own words."},
    "fallback": {
        "pl": "Nie jestem pewien, o co chodzi. Proszę napisać inaczej albo wybrać sprawę:",
        "en": "I'm not sure what you mean. Please put it differently or choose:"},
    "password_steps": {
        "pl": "Jeśli skrzynka e-mail z konta działa, wystarczy ustawić nowe hasło: proszę otworzyć {password_reset_url}, "
              "wpisać adres e-mail konta i kliknąć link z wiadomości. Instrukcja krok po kroku: "
              "{change_password_article_url}\nJeśli wiadomość nie przyjdzie, proszę dać znać — sprawdzimy, "
              "jaki adres jest w koncie.",
        "en": "If the mailbox works, just set a new password: open {password_reset_url}, enter the account's "
              "e-mail address and click the link in the message. Step by step: {change_password_article_url}\n"
              "If the message doesn't arrive, tell me — we'll check which address the account uses."},
    "password_after_email_change": {
        "pl": "Nowe hasło ustawi [[Pan/Pani|Państwo]] po zmianie adresu: gdy nowy adres będzie już adresem logowania, "
              "proszę otworzyć {password_reset_url} i wpisać go — link do ustawienia hasła przyjdzie na nową skrzynkę.",
        "en": "You'll set a new password once the address has changed: when the new address is the login, open "
              "{password_reset_url} and enter it — the link to set the password arrives in the new mailbox."},
    "dead_email_intro": {
        "pl": "Zmienię adres e-mail konta na działający. Najpierw potwierdzę kodem, że [[to Pan/Pani|to Państwo]]: "
              "kod przyjdzie SMS-em na numer telefonu zapisany w Panelu Klienta (na numer stacjonarny przeczyta "
              "go automat w połączeniu).",
        "en": "I'll change the account's e-mail to one that works. First I'll confirm it's you with a code sent "
              "by SMS to the phone number registered in the Client Panel (a landline gets a call that reads it)."},
    "dead_email_proven_intro": {
        "pl": "Numer telefonu jest już potwierdzony, więc od razu zmienię adres e-mail konta na działający.",
        "en": "Your phone number is already confirmed, so I'll change the account's e-mail to a working one now."},
    "ask_resend": {
        "pl": "Wysłać nowy kod na numer {masked}?",
        "en": "Shall I send a new code to {masked}?"},
    "code_not_sent_have_number": {
        "pl": "Kodu jeszcze nie wysłałem; numer {masked} mam zapisany.",
        "en": "I haven't sent a code yet; I have your number {masked}."},
    "phone_gone_documents": {
        "pl": "Skoro nie ma już dostępu ani do tej skrzynki, ani do telefonu zapisanego w panelu, potwierdzimy, "
              "że konto [[należy do Pana/Pani|należy do Państwa]], dokumentami.",
        "en": "Since neither that mailbox nor the phone registered in the panel is available, we'll confirm the "
              "account is yours with documents."},
    "no_login_intro": {
        "pl": "Podpowiem, jakim adresem logować się do panelu — po potwierdzeniu numeru telefonu kodem z SMS-a "
              "(na numer stacjonarny kod przeczyta automat w połączeniu).",
        "en": "I'll tell you which address logs into the panel — once your phone is confirmed with an SMS code "
              "(a landline gets a call that reads the code)."},
    "ask_has_phone": {
        "pl": "Czy [[ma Pan/Pani|mają Państwo]] nadal telefon o numerze zapisanym w Panelu Klienta?",
        "en": "Do you still have the phone whose number is registered in the Client Panel?"},
    "ask_phone": {
        "pl": "Proszę podać numer telefonu zapisany w Panelu Klienta (np. 601 234 567).",
        "en": "Please give the phone number registered in the Client Panel (e.g. +48 601 234 567)."},
    "phone_help": {
        "pl": "Proszę wpisać numer zapisany w Panelu Klienta, np. 601 234 567, +48 601 234 567 albo "
              "0048 601 234 567. Numer z innego kraju — z kierunkowym, np. +49 …",
        "en": "Please type the number registered in the Client Panel, e.g. 601 234 567 or +48 601 234 567; "
              "a foreign number with its country code, e.g. +49 …"},
    "phone_no_digits": {
        "pl": "W tej wiadomości nie ma numeru telefonu.",
        "en": "There is no phone number in this message."},
    "phone_letters": {
        "pl": "Numer telefonu może zawierać tylko cyfry (oraz spacje, myślniki lub +).",
        "en": "A phone number may only hold digits (and spaces, dashes or +)."},
    "phone_too_few": {
        "pl": "Ten numer ma za mało cyfr ({count}) — polski numer ma 9 cyfr.",
        "en": "That number has too few digits ({count}) — a Polish number has 9."},
    "phone_too_many": {
        "pl": "Ten numer ma za dużo cyfr.",
        "en": "That number has too many digits."},
    "phone_not_a_number": {
        "pl": "To nie wygląda na istniejący numer telefonu.",
        "en": "That doesn't look like an existing phone number."},
    "phone_unreadable": {
        "pl": "Nie udało się odczytać numeru telefonu.",
        "en": "I couldn't read a phone number."},
    "choose_phone": {
        "pl": "Podano dwa numery: {first} i {second}. Na który wysłać kod — który jest zapisany w Panelu Klienta?",
        "en": "You gave two numbers: {first} and {second}. Which one is registered in the Client Panel?"},
    "call_landline": {
        "pl": "Numer {masked} to telefon stacjonarny, więc SMS na niego nie dojdzie — zamiast tego zadzwonimy.",
        "en": "{masked} is a landline, so an SMS can't reach it — we'll call it instead."},
    "call_mobile": {
        "pl": "Zamiast SMS-a zadzwonimy na numer {masked}.",
        "en": "Instead of an SMS, we'll call {masked}."},
    "code_called": {
        "pl": "{why} Jeśli numer jest zapisany w Panelu Klienta, w ciągu minuty zadzwoni automat i dwa razy "
              "przeczyta 6-cyfrowy kod (ważny {minutes} minut) — proszę odebrać i wpisać tu ten kod.",
        "en": "{why} If the number is registered in the Client Panel, an automated call comes within a minute "
              "and reads a 6-digit code twice (valid {minutes} minutes) — please pick up and type the code here."},
    "call_ringing": {
        "pl": "Automat właśnie dzwoni na numer {masked} — proszę odebrać; kod przeczyta dwa razy.",
        "en": "The automated call to {masked} is ringing now — please pick up; it reads the code twice."},
    "call_not_through": {
        "pl": "Jeśli kod z połączenia nie dotarł, połączenie mogło nie zostać odebrane, numer mógł być zajęty "
              "albo połączenie się urwało. Zadzwonić jeszcze raz na numer {masked}?",
        "en": "If the call's code didn't reach you, the call may not have been answered, the line may have been "
              "busy or the call dropped. Shall we call {masked} again?"},
    "ask_recall": {
        "pl": "Zadzwonić jeszcze raz na numer {masked}?",
        "en": "Shall we call {masked} again?"},
    "not_callable": {
        "pl": "Na ten numer nie możemy zadzwonić z kodem (dzwonimy tylko na zwykłe numery polskie).",
        "en": "We can't call this number with a code (we only call ordinary Polish numbers)."},
    "sms_landline": {
        "pl": "Numer {masked} jest stacjonarny, więc SMS na niego nie dojdzie. Jeśli w panelu jest też numer "
              "komórkowy, proszę go podać — wyślę SMS; kod z połączenia na {masked} też można wpisać.",
        "en": "{masked} is a landline, so an SMS can't reach it. If a mobile number is registered too, please "
              "give it and I'll text the code; the code from the call to {masked} works as well."},
    "call_needs_number": {
        "pl": "Zadzwonimy z kodem na numer zapisany w Panelu Klienta — najpierw potrzebuję tego numeru.",
        "en": "We'll call the number registered in the Client Panel with a code — first I need that number."},
    "call_only_code": {
        "pl": "Nasz automat dzwoni tylko po to, żeby przeczytać kod na numer zapisany w Panelu Klienta; "
              "rozmowę z pracownikiem zapewnia kontakt: {contact_url} ({hours_text}).",
        "en": "Our automated calls only read a code to the number registered in the Client Panel; to talk to a "
              "person, see {contact_url}."},
    "code_sent": {
        "pl": "Jeśli numer {masked} jest zapisany w Panelu Klienta, za chwilę przyjdzie na niego SMS z 6-cyfrowym "
              "kodem (ważny {minutes} minut). Proszę go tu wpisać.",
        "en": "If {masked} is registered in the Client Panel, an SMS with a 6-digit code is on its way (valid "
              "{minutes} minutes). Please type it here."},
    "ask_code": {
        "pl": "Proszę wpisać 6-cyfrowy kod wysłany na numer {masked}.",
        "en": "Please type the 6-digit code sent to {masked}."},
    "code_typo": {
        "pl": "To {count} cyfr, a kod ma 6 — chyba literówka. Proszę przepisać go jeszcze raz.",
        "en": "That's {count} digits, the code has 6 — probably a typo. Please type it again."},
    "code_wrong": {
        "pl": "Ten kod się nie zgadza. Proszę przepisać 6 cyfr najnowszego kodu od Kylos (z SMS-a lub połączenia).",
        "en": "That code doesn't match. Please copy the 6 digits of the latest code from Kylos (SMS or call)."},
    "code_wrong_last": {
        "pl": "Ten kod też się nie zgadza. Proszę sprawdzić, czy to najnowszy kod od Kylos, i przepisać 6 cyfr.",
        "en": "That code doesn't match either. Please check it's the latest code from Kylos and copy the 6 digits."},
    "code_expired": {
        "pl": "Ten kod już wygasł (kod jest ważny {minutes} minut). Wysłać nowy kod na numer {masked}?",
        "en": "That code has expired (codes are valid {minutes} minutes). Shall I send a new one to {masked}?"},
    "code_failed": {
        "pl": "Nie udało się potwierdzić numeru kodem.",
        "en": "The phone number couldn't be confirmed with the code."},
    "code_not_received_wait": {
        "pl": "SMS czasem przychodzi z opóźnieniem. Kod przyjdzie tylko wtedy, gdy numer {masked} jest zapisany w "
              "Panelu Klienta. Nowy kod mogę wysłać za {seconds} s — albo można podać inny numer z panelu, "
              "przesłać dokumenty lub poprosić o pracownika.",
        "en": "An SMS can take a moment. It only arrives if {masked} is registered in the Client Panel. I can "
              "send a new code in {seconds} s — or you can give another number from the panel, send documents "
              "or ask for a person."},
    "code_not_received_now": {
        "pl": "Kod przyjdzie tylko wtedy, gdy numer {masked} jest zapisany w Panelu Klienta. Mogę teraz wysłać "
              "nowy kod — albo można podać inny numer z panelu, przesłać dokumenty lub poprosić o pracownika.",
        "en": "The code only arrives if {masked} is registered in the Client Panel. I can send a new code now — "
              "or you can give another number from the panel, send documents or ask for a person."},
    "resend_wait": {
        "pl": "Nowy kod będzie można wysłać za {seconds} s.",
        "en": "A new code can be sent in {seconds} s."},
    "rate_limited": {
        "pl": "Na ten numer wysłano już kilka kodów; kolejny będzie można wysłać za ok. {minutes} min.",
        "en": "Several codes have already been sent to this number; the next one can go in about {minutes} min."},
    "no_code_yet": {
        "pl": "Kodu jeszcze nie wysłałem — najpierw potrzebuję numeru telefonu z Panelu Klienta.",
        "en": "I haven't sent a code yet — first I need the phone number registered in the Client Panel."},
    "which_number": {
        "pl": "Kod wysłałem na numer {masked}.",
        "en": "I sent the code to {masked}."},
    "phone_confirmed": {
        "pl": "Dziękuję, numer potwierdzony.",
        "en": "Thank you, the number is confirmed."},
    "already_proven": {
        "pl": "Numer jest już potwierdzony — nie trzeba kolejnego kodu.",
        "en": "The number is already confirmed — no new code needed."},
    "proof_expired": {
        "pl": "Potwierdzenie numeru wygasło (jest ważne 15 minut) — wyślę nowy kod.",
        "en": "The confirmation of your number has expired (it lasts 15 minutes) — I'll send a new code."},
    "ask_new_email": {
        "pl": "Na jaki działający adres e-mail zmienić login? Wyślę na niego link do potwierdzenia.",
        "en": "Which working e-mail address should the login change to? I'll send a confirmation link there."},
    "choose_email": {
        "pl": "Podano dwa adresy: {first} i {second}. Którego użyć?",
        "en": "You gave two addresses: {first} and {second}. Which one should I use?"},
    "no_email": {
        "pl": "W tej wiadomości nie widzę adresu e-mail (powinien zawierać znak @, np. jan@example.pl).",
        "en": "I can't see an e-mail address in this message (it has an @, e.g. jan@example.com)."},
    "bad_email": {
        "pl": "Adres „{email}” ma błędny format. Proszę sprawdzić, np. jan.kowalski@example.pl.",
        "en": "The address \"{email}\" isn't valid. Please check it, e.g. jan.kowalski@example.com."},
    "email_typo": {
        "pl": "Czy chodzi o {suggested}? W wiadomości jest {typed} — to częsta literówka.",
        "en": "Did you mean {suggested}? The message says {typed} — a common typo."},
    "email_typo_yes": {"pl": "Tak, {suggested}", "en": "Yes, {suggested}"},
    "email_typo_no": {"pl": "Nie, {typed} jest dobry", "en": "No, {typed} is right"},
    "dead_domain": {
        "pl": "Adres {email} jest w tej samej domenie co niedziałająca skrzynka konta, więc link też by do "
              "niego nie doszedł. Proszę podać adres w innej domenie (np. w Gmailu, WP albo Onecie).",
        "en": "{email} is in the same domain as the account's dead mailbox, so the link wouldn't reach it "
              "either. Please give an address in another domain (e.g. Gmail or Outlook)."},
    "email_change_corrected": {
        "pl": "Poprawiłem adres: nowy link wysłałem na {masked_new_email}, a poprzedni link już nie działa. "
              "Proszę go otworzyć w ciągu 24 godzin i potwierdzić zmianę.",
        "en": "I've corrected the address: a new link went to {masked_new_email} and the previous link no "
              "longer works. Please open it within 24 hours and confirm the change."},
    "change_not_correctable": {
        "pl": "Tej zmiany nie mogę już poprawić na czacie (link został użyty albo poprawek było już kilka). "
              "Można ją anulować linkiem z wiadomości na dotychczasowy adres, albo przekażę sprawę pracownikowi.",
        "en": "I can't correct that change in the chat any more (the link was used or it was corrected several "
              "times). It can be cancelled with the link sent to the current address, or I can pass this on "
              "to a person."},
    "same_email": {
        "pl": "To ten sam adres, który jest już w koncie — proszę podać inny, działający.",
        "en": "That's the address already on the account — please give another one that works."},
    "email_change_sent": {
        "pl": "Gotowe. Na adres {masked_new_email} wysłałem link — proszę go otworzyć w ciągu 24 godzin i "
              "potwierdzić zmianę.{applies} Potem można ustawić nowe hasło na {password_reset_url}, podając nowy "
              "adres; instrukcja: {change_password_article_url}",
        "en": "Done. I sent a link to {masked_new_email} — please open it within 24 hours and confirm the "
              "change.{applies} Then set a new password at {password_reset_url} with the new address; "
              "instructions: {change_password_article_url}"},
    "applies_after": {
        "pl": " Ze względów bezpieczeństwa zmiana zacznie działać {when}; do tego czasu można ją anulować "
              "linkiem wysłanym na dotychczasowy adres.",
        "en": " For security the change takes effect {when}; until then it can be cancelled with the link sent "
              "to the current address."},
    "email_change_queued": {
        "pl": "Zapisałem prośbę o zmianę adresu na {masked_new_email}. Zmianę wprowadzi pracownik {when}; "
              "potwierdzenie przyjdzie na nowy adres. Potem można ustawić nowe hasło na {password_reset_url}; "
              "instrukcja: {change_password_article_url}",
        "en": "I've recorded the request to change the address to {masked_new_email}. A person will apply it "
              "{when}; a confirmation will go to the new address. Then set a new password at "
              "{password_reset_url}; instructions: {change_password_article_url}"},
    "hint": {
        "pl": "Do Panelu Klienta [[loguje się Pan/Pani|logują się Państwo]] adresem {masked_login} — ten adres proszę podać "
              "przy ustawianiu nowego hasła.",
        "en": "Your Client Panel login is {masked_login} — use this address when setting a new password."},
    "offer_reset": {
        "pl": "Wysłać teraz na ten adres link do ustawienia nowego hasła?",
        "en": "Shall I send a link for a new password to that address now?"},
    "reset_sent": {
        "pl": "Wysłałem link do ustawienia nowego hasła na {masked_login}. Instrukcja zmiany hasła: "
              "{change_password_article_url}",
        "en": "I sent a link for a new password to {masked_login}. How to change the password: "
              "{change_password_article_url}"},
    "reset_declined": {
        "pl": "Dobrze. Nowe hasło można ustawić w każdej chwili na {password_reset_url}, podając adres "
              "{masked_login}.",
        "en": "All right. You can set a new password any time at {password_reset_url} with {masked_login}."},
    "full_email_refused": {
        "pl": "Całego adresu nie pokażę na czacie — gdyby ktoś inny widział tę rozmowę, nie pozna adresu konta. "
              "Mogę za to sprawdzić adres, który [[Pan/Pani poda|Państwo podadzą]] (odpowiem tak albo nie), "
              "albo wysłać link do nowego hasła prosto na adres z konta.",
        "en": "I won't show the whole address in the chat — if anyone else saw this conversation, they "
              "wouldn't learn it. I can check an address you type (yes or no), or send the new-password link "
              "straight to the account's address."},
    "email_check_yes": {
        "pl": "Tak, {email} to adres logowania do Panelu Klienta.",
        "en": "Yes, {email} is the Client Panel login."},
    "email_check_no": {
        "pl": "Nie, {email} to nie jest adres logowania (wzór: {masked_login}).",
        "en": "No, {email} is not the login (it looks like {masked_login})."},
    "email_check_limit": {
        "pl": "Więcej adresów nie sprawdzę w tej rozmowie. Mogę wysłać link do nowego hasła prosto na adres "
              "z konta.",
        "en": "I can't check more addresses in this conversation. I can send the new-password link straight "
              "to the account's address."},
    "ask_account_type": {
        "pl": "Na kogo zarejestrowane jest konto?",
        "en": "Who is the account registered to?"},
    "documents_heading": {
        "pl": "{kind} — proszę przesłać jeden z tych dokumentów na {send_to}:",
        "en": "{kind} — please send one of these documents to {send_to}:"},
    "kind_private": {"pl": "Konto osoby prywatnej", "en": "Account of a private person"},
    "kind_company": {"pl": "Konto firmy lub organizacji", "en": "Account of a company or organisation"},
    "ask_contact_email": {
        "pl": "Proszę podać adres e-mail, z którego [[Pan/Pani napisze|Państwo napiszą]] i na który możemy "
              "odpowiedzieć.",
        "en": "Please give the e-mail address you will write from and where we can reply."},
    "documents_case": {
        "pl": "Numer zgłoszenia: {case_number}. Proszę wpisać go w temacie wiadomości z dokumentami i wysłać ją "
              "z adresu {contact} na {documents_email}. {handling}",
        "en": "Case number: {case_number}. Please put it in the subject of the e-mail with the documents and "
              "send it from {contact} to {documents_email}. {handling}"},
    "handoff_call_us": {
        "pl": "Można też zadzwonić do nas w godzinach pracy ({hours_text}) — numery telefonów są na {contact_url}. "
              "Jeśli [[woli Pan/Pani|wolą Państwo]] pisać, pracownik odpowie e-mailem.",
        "en": "You can also call us during office hours ({hours_text}) — the phone numbers are at {contact_url}. "
              "If you'd rather write, a person will reply by e-mail."},
    "handoff_case": {
        "pl": "Przekazałem sprawę pracownikowi — zgłoszenie {case_number}. Pracownik zobaczy: {passed}. "
              "Odpowiemy na {contact}. {handling}",
        "en": "I've passed this on to a person — case {case_number}. They will see: {passed}. We'll reply to "
              "{contact}. {handling}"},
    "case_contact_updated": {
        "pl": "Poprawiłem adres kontaktowy w zgłoszeniu {case_number} na {contact}.",
        "en": "I've updated the contact address of case {case_number} to {contact}."},
    "today_in_hours": {"pl": "w godzinach pracy", "en": "during office hours"},
    "handoff_live": {
        "pl": "Przekazuję rozmowę konsultantowi z naszego zespołu — od teraz odpisuje tu człowiek, nie ja "
              "(asystent). Widzi to, co [[Pan/Pani już napisał(a)|Państwo już napisali]], bez kodów i pełnych numerów. "
              "Jeśli nikt nie odpisze w ciągu {minutes} min, zaproponuję zgłoszenie e-mailowe.",
        "en": "I'm handing this conversation to a person from our support team — from now on a human replies here, "
              "not me (the assistant). They see what you've written so far, without codes or full numbers. "
              "If nobody replies within {minutes} min, I'll offer you a case by e-mail instead."},
    "handoff_office_closed": {
        "pl": "Teraz biuro jest zamknięte (pracujemy {hours_text}). Sprawę przekażę pracownikowi — zajmie się nią "
              "{when}.",
        "en": "The office is closed now (we work {hours_text}). I'll pass this on to a person, who will look at it "
              "{when}."},
    "handling_open": {
        "pl": "Teraz pracujemy — pracownik zajmie się tym jeszcze dziś, w godzinach pracy.",
        "en": "We're open now — a person will look at it today, during office hours."},
    "handling_closed": {
        "pl": "Teraz biuro jest zamknięte; pracownik zajmie się tym {when}.",
        "en": "The office is closed now; a person will look at it {when}."},
    "outside_procedure": {
        "pl": "To sytuacja, którą musi ocenić pracownik — przekażę ją z tym opisem.",
        "en": "This is something a person has to assess — I'll pass it on with this description."},
    "office_hours": {
        "pl": "Pracujemy {hours_text}. {state}",
        "en": "We work Monday to Friday, 9:00–17:00 Polish time, except public holidays. {state}"},
    "open_now": {"pl": "Teraz pracujemy.", "en": "We're open now."},
    "closed_now": {"pl": "Teraz biuro jest zamknięte — zaczynamy {when}.",
                   "en": "The office is closed now — we open {when}."},
    "contact": {
        "pl": "Kontakt z nami (telefon, e-mail): {contact_url}. Pracujemy {hours_text}. Zmiany danych konta przez "
              "telefon robimy tylko, gdy dzwoni się z numeru zapisanego w Panelu Klienta.",
        "en": "Contact (phone, e-mail): {contact_url}. Office hours: Monday to Friday 9:00–17:00 Polish time. "
              "Account data is changed by phone only when you call from the number registered in the panel."},
    "bot": {
        "pl": "Jestem automatycznym asystentem Kylos. W każdej chwili mogę przekazać sprawę pracownikowi — "
              "wystarczy napisać „konsultant”.",
        "en": "I'm Kylos's automated assistant. I can pass you to a person any time — just write \"human\"."},
    "capabilities": {
        "pl": "Pomagam odzyskać dostęp do Panelu Klienta: gdy nie [[pamięta Pan/Pani|pamiętają Państwo]] hasła, gdy skrzynka "
              "e-mail z konta nie działa albo gdy nie [[zna Pan/Pani|znają Państwo]] danych logowania. Podam też godziny "
              "pracy, kontakt i listę dokumentów, a w razie potrzeby przekażę sprawę pracownikowi.",
        "en": "I help you get back into the Client Panel: a forgotten password, a dead mailbox on the account, "
              "or not knowing the login at all. I can also give office hours, contact details and the list of "
              "documents, or pass you to a person."},
    "duration": {
        "pl": "Z kodem SMS to kilka minut: kod przychodzi od razu, a zmiana adresu działa po kliknięciu linku. "
              "Dokumenty sprawdza pracownik w godzinach pracy ({hours_text}).",
        "en": "With an SMS code it takes a few minutes: the code arrives at once and an address change works "
              "once you click the link. Documents are checked by a person during office hours "
              "(Mon–Fri 9:00–17:00 Polish time)."},
    "safety": {
        "pl": "Kod z SMS-a przychodzi tylko na numer zapisany w Panelu Klienta, więc potwierdza, że rozmawiam z "
              "właścicielem konta — tak samo jak telefon z tego numeru do biura. "
              "Nie proszę o hasło ani dane karty; kodu proszę nie podawać nikomu poza tym czatem.",
        "en": "The SMS code only goes to the number registered in the Client Panel, so it proves I'm talking to "
              "the account holder — like a call from that number to our office. I never ask for passwords or "
              "card data; don't share the code with anyone outside this chat."},
    "next_password": {
        "pl": "Dalej: nowe hasło na {password_reset_url} (link przyjdzie na adres konta).",
        "en": "Next: a new password at {password_reset_url} (the link goes to the account's address)."},
    "next_dead_email": {
        "pl": "Dalej: potwierdzenie numeru kodem z SMS-a, potem nowy adres e-mail i link potwierdzający na ten "
              "adres, a na końcu nowe hasło na {password_reset_url}.",
        "en": "Next: confirm your number with an SMS code, then the new e-mail address and a confirmation link "
              "sent there, and finally a new password at {password_reset_url}."},
    "next_no_login": {
        "pl": "Dalej: potwierdzenie numeru kodem z SMS-a, potem podpowiem adres logowania i mogę wysłać na niego "
              "link do nowego hasła.",
        "en": "Next: confirm your number with an SMS code, then I'll show the login address and can send a "
              "new-password link to it."},
    "next_no_login_shown": {
        "pl": "Teraz wystarczy ustawić nowe hasło: proszę otworzyć {password_reset_url}, wpisać adres {masked_login} "
              "i kliknąć link z wiadomości. Instrukcja: {change_password_article_url}",
        "en": "Now just set a new password: open {password_reset_url}, enter {masked_login} and click the link in "
              "the message. Instructions: {change_password_article_url}"},
    "next_dead_email_done": {
        "pl": "Teraz proszę otworzyć link wysłany na {masked_new_email} i potwierdzić zmianę; potem nowe hasło na "
              "{password_reset_url}, podając nowy adres. Instrukcja: {change_password_article_url}",
        "en": "Now open the link sent to {masked_new_email} and confirm the change; then set a new password at "
              "{password_reset_url} with the new address. Instructions: {change_password_article_url}"},
    "next_documents": {
        "pl": "Dalej: lista dokumentów, numer zgłoszenia do tematu wiadomości, a pracownik sprawdzi dokumenty w "
              "godzinach pracy i odpisze na podany adres.",
        "en": "Next: the list of documents and a case number for the subject; a person checks the documents "
              "during office hours and replies to your address."},
    "next_handoff": {
        "pl": "Dalej: zgłoszenie dla pracownika z opisem tej rozmowy; odpowiedź przyjdzie na podany adres.",
        "en": "Next: a case for a person with a summary of this chat; the answer comes to your address."},
    "out_of_scope": {
        "pl": "Tu pomagam tylko w odzyskaniu dostępu do Panelu Klienta. W innych sprawach (cennik, domeny, DNS, "
              "serwery, faktury) pomoże zespół Kylos: {contact_url}",
        "en": "Here I only help with access to the Client Panel. For anything else (prices, domains, DNS, "
              "servers, invoices) the Kylos team will help: {contact_url}"},
    "thank": {"pl": "Nie ma za co.", "en": "You're welcome."},
    "acknowledged": {"pl": "Dobrze.", "en": "All right."},
    "question_noted": {
        "pl": "Na to pytanie nie umiem odpowiedzieć. Zapisałem je — jeśli sprawa trafi do pracownika, zobaczy je "
              "w zgłoszeniu.",
        "en": "I can't answer that question. I've noted it — if this goes to a person, they'll see it in the case."},
    "anything_else": {"pl": "Czy mogę pomóc w czymś jeszcze?", "en": "Can I help with anything else?"},
    "goodbye": {
        "pl": "Do widzenia! W razie potrzeby proszę napisać ponownie — pamiętam tę rozmowę.",
        "en": "Goodbye! Write again any time — I remember this conversation."},
    "stopped": {
        "pl": "Dobrze, przerwałem. Jeśli [[zechce Pan/Pani|zechcą Państwo]] wrócić do sprawy, wystarczy napisać.",
        "en": "All right, I've stopped. Write any time to continue."},
    "restart": {
        "pl": "Zaczynamy od nowa — wcześniejsze dane z tej rozmowy usunąłem. W czym mogę pomóc?",
        "en": "Starting over — I've cleared what this conversation had. How can I help?"},
    "try_later": {
        "pl": "Z tego miejsca przyszło ostatnio zbyt wiele próśb. Proszę spróbować ponownie za ok. {minutes} min.",
        "en": "Too many requests have come from here recently. Please try again in about {minutes} min."},
    "backend_down": {
        "pl": "Przepraszam, system kont chwilowo nie odpowiada. Proszę spróbować za kilka minut albo zadzwonić "
              "do nas z numeru zapisanego w Panelu Klienta ({hours_text}): {contact_url}",
        "en": "Sorry, the account system isn't answering right now. Please try again in a few minutes or call "
              "us from the number registered in the Client Panel: {contact_url}"},
    "alternatives": {
        "pl": "{reason} Można odzyskać dostęp inaczej: zadzwonić do nas z numeru zapisanego w Panelu Klienta "
              "({hours_text}, kontakt: {contact_url}), przesłać dokumenty albo poprosić o pracownika.",
        "en": "{reason} There are other ways: call us from the number registered in the Client Panel "
              "(contact: {contact_url}), send documents, or ask for a person."},
    "only_own_contact": {
        "pl": "Jako dowód liczy się tylko [[Pana/Pani|Państwa]] własny numer, udostępniony przyciskiem "
              "„Udostępnij mój numer telefonu”. Można też wpisać numer i potwierdzić go kodem z SMS-a.",
        "en": "Only your own number, shared with the \"Share my phone number\" button, counts as proof. You can "
              "also type the number and confirm it with an SMS code."},
    "contact_not_proven": {
        "pl": "Ten numer nie pozwala potwierdzić konta.",
        "en": "This number can't confirm the account."},
    "reset_trouble": {
        "pl": "Jeśli wiadomość z linkiem nie przychodzi, proszę zajrzeć do folderu spam. Jeśli i tam jej nie ma: "
              "konto może być zapisane na inny adres albo ta skrzynka nie działa. Mogę po kodzie SMS podpowiedzieć, "
              "jaki adres jest w koncie, albo zmienić niedziałający adres na działający.",
        "en": "If the message with the link doesn't arrive, please check the spam folder. If it isn't there "
              "either, the account may use another address or that mailbox is dead. After an SMS code I can tell "
              "you the account's address, or change a dead address to one that works."},
    "reset_trouble_after_reset": {
        "pl": "Link wysłałem na {masked_login}; proszę zajrzeć do folderu spam. Jeśli ta skrzynka nie działa, "
              "zmienię adres konta na działający — numer jest już potwierdzony.",
        "en": "I sent the link to {masked_login}; please check the spam folder. If that mailbox is dead, I'll "
              "change the account's address — your number is already confirmed."},
    "confirmation_trouble": {
        "pl": "Link potwierdzający wysłałem na {masked_new_email}; proszę zajrzeć do folderu spam. Jeśli go nie "
              "ma, mogę przekazać sprawę pracownikowi.",
        "en": "I sent the confirmation link to {masked_new_email}; please check the spam folder. If it isn't "
              "there, I can pass this on to a person."},
    "internal_error": {
        "pl": "Przepraszam, coś poszło nie tak po mojej stronie. Proszę napisać to jeszcze raz — to, co "
              "[[Pan/Pani podał(a)|Państwo podali]] wcześniej, pamiętam.",
        "en": "Sorry, something went wrong on my side. Please write that again — I still have what you told me "
              "before."},
}

# What a person receives in a case summary, by path.
PATH_NAMES = {
    "pl": {"password": "zapomniane hasło (skrzynka działa)", "dead_email": "nie działa skrzynka e-mail z konta",
           "no_login": "nie zna e-maila ani hasła", "documents": "weryfikacja dokumentami",
           "handoff": "prośba o pracownika", None: "nie określono"},
    "en": {"password": "forgotten password (mailbox works)", "dead_email": "the account's mailbox is dead",
           "no_login": "knows neither e-mail nor password", "documents": "verification by documents",
           "handoff": "asked for a person", None: "not determined"},
}


def say(key: str, language: str = "pl", plural: bool = False, **fields: Any) -> str:
    variants = TEXTS[key]
    return fill(variants.get(language) or variants["pl"], plural, **fields)


def fill(text: str, plural: bool = False, **fields: Any) -> str:
    """A text in the conversation's register ("Pan/Pani" or "Państwo") with its fields filled."""
    text = _REGISTER.sub(lambda match: match.group(2 if plural else 1), text)
    return text.format(**fields) if fields else text


def buttons(choices: dict[str, list[tuple[str, str]]], language: str = "pl") -> list[dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in choices.get(language) or choices["pl"]]
