"""Facts a customer states in a message, whatever the assistant asked: phone
numbers, e-mail addresses (and whether each is the dead one or the one to use),
the SMS code, account type, NIP, company name, "I no longer have that phone",
corrections and preferences, and the language of the message.

Plain functions on text, tested without Rasa (tests/actions/test_facts.py).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from contact_rules import find_codes, find_digit_runs, find_emails, find_nips, find_phones, is_valid_email, phone_kind

from ..phone import PhoneCheck, check_phone

_DIACRITICS = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
_DIGIT_RUN = re.compile(r"(?<![\d+])\d{4,8}(?!\d)")
PHONE_MIN_DIGITS = 9  # fewer digits are not meant as a phone (a Polish number has nine)

_OLD_MARKERS = re.compile(r"nie ?dzial|przestal|wygasl|wygasa|stary|starego|dawn|nieaktywn|martw|nie mam dostepu|"
                          r"zablokowan|nie istnieje|padl|nie odbier|w panelu jest|zapisany|na koncie jest|"
                          r"rzadko|nie uzywam|not working|dead|expired|old")
_NEW_MARKERS = re.compile(r"nowy|nowego|nowa|lepiej|prosze na|zmien\w*(\s+\w+){0,3}\s+na|przepi\w*(\s+\w+){0,3}\s+na|"
                          r"kontakt|odpis|pisac na|pisz na|"
                          r"aktualn|dzialajac|uzywam|preferuj|wole|new|better|instead|reach me")
_PREFERENCE = re.compile(r"lepiej|wole|wolal|preferuj|jednak|raczej|zamiast|better|rather|instead|prefer")
_AVOID = re.compile(r"rzadko|nie zagladam|nie czytam|nie uzywam|wolal\w* nie|rarely")
_CORRECTION = re.compile(r"^\s*(nie[,.! ]+nie\b|nie[,.!]|pomylk|pomylil|poprawk|przepraszam,? (zle|blad)|"
                         r"jednak|zmiana|korekta)|\b(pomylk\w*|pomylil\w*|zle podal\w*|inny numer|innego numeru|"
                         r"nie ten|lepiej na|tylko na|correction|actually)\b")
_PRIVATE = re.compile(r"prywatn|osob\w* fizyczn|na siebie|na mnie|na moje nazwisko|na osobe|private|personal")
_COMPANY = re.compile(r"\bfirm|jednoosobow|sp\.? ?z o\.? ?o|spolk|dzialalnosc|jdg|organizacj|stowarzysz|fundacj|szkol|"
                      r"urzad|\bs\.?a\.?\b|\bnip\b|company|business|organisation|organization|ltd")
_PLURAL = re.compile(r"w imieniu firmy|\bnasz\w*|\bmamy\b|\bpiszemy\b|\bjestesmy\b|\bchcemy\b|\bprosimy\b|"
                     r"\bzapomnielismy\b|\bnie mamy\b")
_COMPANY_NAME = re.compile(r"(?i:w imieniu firmy|firm[ay]|sp[oó]łk[ia])\s+[„\"]?([A-ZĄĆĘŁŃÓŚŹŻ][\w&\-]*"
                           r"(?:\s+[A-ZĄĆĘŁŃÓŚŹŻ0-9][\w&\-]*){0,4}(?:\s+sp\.\s?z\s?o\.\s?o\.)?)")
_PHONE_WORD = r"(telefon\w*|numer\w*|komork\w*|kart\w* sim|phone|number)"
_NO_PHONE = re.compile(
    r"nie ma(m|my)\b.{0,40}" + _PHONE_WORD + "|" + _PHONE_WORD + r"\W+(\w+\W+){0,4}?(juz |chyba |tez )?nie ma(m|my)\b|"
    r"ani (do )?" + _PHONE_WORD + "|" + _PHONE_WORD + r".{0,30}(przepadl|zgubil|ukradl|ukradzion|skradzion|stracil|"
    r"nieaktywn|nie dziala|wylaczon)|(stracil\w*|zgubil\w*|ukradli\w*) .{0,15}" + _PHONE_WORD + "|"
    r"bez " + _PHONE_WORD + r"|zmienil\w* (numer|operatora i numer)|stary numer|numeru juz nie|"
    r"no longer have|lost (my |the )?phone|(don'?t|do not) have (the|that|my) (phone|number)")
_MAILBOX_WORKS = re.compile(r"(mail\w*|poczt\w*|skrzynk\w*) (\w+ ){0,2}?(mam|dziala|jest ok|dostaje|odbieram)|"
                            r"mam (dostep do )?(maila|poczty|skrzynki)|(mailbox|e-?mail) works")
_RESET_LINK = re.compile(r"wysl\w* (mi |ten |jednak )*(link|reset)|link do (resetu|nowego hasla|zmiany hasla)|"
                         r"send (me )?(the )?(reset |password )?link")
# What a message says the problem is, when the model is unsure: the words customers use most.
_FORGOT = r"(nie (znam|pamietam|wiem|kojarz)\w*|zapomnial\w*|nie mam pojecia|(don'?t|do not) (know|remember)|forgot)"
_LOGIN_WORD = r"(mail\w*|e-?mail\w*|login\w*|adres\w*|address|dan\w+ do logowania)"
_PROBLEM_HINTS = [
    ("no_login", re.compile(_FORGOT + r"\W+(\w+\W+){0,5}?" + _LOGIN_WORD + "|" + _LOGIN_WORD
                            + r"\W+(\w+\W+){0,3}?(tez |juz )?" + _FORGOT + r"|ani (maila|e-?maila|loginu|adresu)|"
                            r"hasla ani|jakim (mailem|adresem) sie loguj|jaki mam (login|mail|adres)|neither|"
                            r"nie ma(m|my) (tez )?(dostepu do )?(maila|e-?maila|poczty|skrzynki)")),
    ("dead_email", re.compile(r"(skrzynk|poczt|mail|adres)\w*.{0,60}(nie ?dzial|przestal|wygasl|nieaktywn|padl)|"
                              r"(nie ?dzial\w*|padl\w*|przestal\w* dzialac)( mi)? (juz )?(moja |nasza )?"
                              r"(skrzynk|poczt|mail|e-?mail)|"
                              r"(wygasl|wygasla|nie oplacil\w*) .{0,30}domen|domen\w* .{0,30}wygasl|"
                              r"(mailbox|e-?mail|inbox).{0,40}(not work|doesn'?t work|dead|expired|no longer)")),
    ("password", re.compile(r"(zapomnial\w*|nie pamietam|zgubil\w*|reset\w*|forgot)\W+(\w+\W+){0,2}?"
                            r"(h[a-z]{2,3}a\b|hasl\w*|haslo|password)")),
]
_PERSON = re.compile(r"\b(czlowiek\w*|konsultant\w*|pracownik\w*|zyw\w+ osob\w*|operator\w*|ktos z obslugi|"
                     r"z kims porozmawiac|rozmawiac z (kims|osoba)|human|real person|an agent)\b")
_ACCOUNT_UNSURE = re.compile(r"(chyba|raczej|moze|nie wiem czy|nie jestem pew\w+)\W+(\w+\W+){0,1}?"
                             r"(firm|prywatn|sluzbow|osob)|sluzbow")
# Questions a message may ask besides its main intent ("jakie dokumenty i w jakich godzinach?").
_QUESTIONS = [
    ("ask_documents", re.compile(r"jakie dokument|dokumenty\W+(\w+\W+){0,3}?(potrzeb|wyslac|przeslac)|what documents")),
    ("ask_office_hours", re.compile(r"w jakich godzinach|godziny pracy|kiedy (pracujecie|jestescie|czynne)|"
                                    r"office hours|opening hours")),
    ("ask_duration", re.compile(r"ile (to )?(potrwa|trwa|czasu)|jak dlugo|how long")),
]
_ENGLISH_WORDS = {"the", "my", "i", "is", "it", "you", "please", "can", "don't", "dont", "not", "and", "to",
                  "have", "with", "email", "password", "help", "what", "how", "hello", "hi", "need", "account",
                  "login", "forgot", "speak", "human", "english", "polish", "this", "that", "do", "does",
                  "phone", "number", "code", "thanks", "thank", "want", "would", "like", "where", "which"}
_POLISH_WORDS = {"nie", "jest", "mam", "sie", "i", "na", "do", "z", "w", "ze", "to", "czy", "jak", "prosze",
                 "dzien", "dobry", "haslo", "hasla", "konto", "panel", "mail", "maila", "numer", "kod", "tak",
                 "dziekuje", "moj", "moje", "jaki", "ktory", "mi", "juz"}


def fold(text: str) -> str:
    """Lower case without Polish diacritics: "Hasło" and "haslo" read alike."""
    return unicodedata.normalize("NFKC", text or "").translate(_DIACRITICS).lower()


@dataclass(frozen=True)
class Email:
    address: str
    role: Optional[str] = None      # "old" (the dead one), "new" (the one to use) or None
    preferred: bool = False
    avoided: bool = False


@dataclass
class Facts:
    phones: list[PhoneCheck] = field(default_factory=list)
    phone_attempt: Optional[PhoneCheck] = None    # digits that look meant as a phone but are not one
    emails: list[Email] = field(default_factory=list)
    bad_email: Optional[str] = None               # has an @ but is no address
    code: Optional[str] = None
    code_typo: Optional[str] = None               # 4, 5, 7 or 8 digits: likely a mistyped code
    account_type: Optional[str] = None
    nip: Optional[str] = None
    company_name: Optional[str] = None
    plural: bool = False
    no_phone: bool = False
    correction: bool = False
    english: Optional[bool] = None                # None: too short to tell
    problem: Optional[str] = None                 # a path the words point at (see _PROBLEM_HINTS)
    wants_person: bool = False
    wants_reset_link: bool = False
    account_type_unsure: bool = False
    asks: set = field(default_factory=set)        # further questions in the message, by intent name

    @property
    def mobiles(self) -> list[PhoneCheck]:
        return [phone for phone in self.phones if phone.kind == "mobile"]


def _without(text: str, spans) -> str:
    """The text with the found pieces blanked out (positions kept)."""
    for start, end, *_ in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _phones(text: str, nip: Optional[str]) -> tuple[list[PhoneCheck], Optional[PhoneCheck]]:
    """Valid numbers as libphonenumber's matcher finds them (contact_rules); any other run of
    nine or more digits is an attempt at a number, to be explained."""
    found: list[PhoneCheck] = []
    attempt = None

    def keep(checked: PhoneCheck) -> None:
        if checked.kind != "invalid" and checked.e164 not in {known.e164 for known in found}:
            found.append(checked)

    matched = find_phones(text)
    for phone in matched:
        keep(PhoneCheck(phone_kind(phone.e164), e164=phone.e164))
    for run in find_digit_runs(_without(text, matched), PHONE_MIN_DIGITS):
        if nip and run.digits == nip:
            continue
        if len(run.digits) > 12 and not run.text.startswith(("+", "00")):
            # Two numbers written one after another ("601 234 567  22 555 66 77", "601…/22…").
            halves = [check_phone(part) for part in re.split(r"\s{2,}|/", run.text)]
            for half in halves:
                keep(half)
            if any(half.kind != "invalid" for half in halves):
                continue
        checked = check_phone(("+" if run.text.startswith("+") else "") + run.digits)
        if checked.kind == "invalid":
            attempt = checked
        keep(checked)
    return found, attempt


def _email_role(folded_text: str, start: int, end: int) -> tuple[Optional[str], bool, bool]:
    before = folded_text[max(0, start - 60):start]
    after = folded_text[end:end + 45]
    # The words closest to the address decide: "skrzynka X nie dziala" vs "lepiej na X".
    near_before = before[-30:]
    old = bool(_OLD_MARKERS.search(near_before) or _OLD_MARKERS.search(after[:30]))
    new = bool(_NEW_MARKERS.search(near_before))
    preferred = bool(_PREFERENCE.search(near_before))
    avoided = bool(_AVOID.search(after))
    if new and not avoided:
        return "new", preferred, avoided
    if old:
        return "old", preferred, avoided
    return None, preferred, avoided


def _emails(text: str) -> tuple[list[Email], Optional[str]]:
    folded = fold(text)
    emails, bad = [], None
    for match in find_emails(text):
        address = match.text
        if "*" in address:
            continue   # a masked address quoted back ("ja***@e***.pl"), not one typed
        if not is_valid_email(address):
            bad = address
            continue
        role, preferred, avoided = _email_role(folded, match.start, match.end)
        if address.lower() not in {email.address.lower() for email in emails}:
            emails.append(Email(address, role, preferred, avoided))
    return emails, bad


def _language(folded: str) -> Optional[bool]:
    words = re.findall(r"[a-z']+", folded)
    if len(words) < 2:
        return None
    english = sum(word in _ENGLISH_WORDS for word in words)
    polish = sum(word in _POLISH_WORDS for word in words)
    if english >= 2 and english > polish:
        return True
    if polish >= 1 and polish >= english:
        return False
    return None


def extract(text: str, expecting_code: bool = False) -> Facts:
    """Everything usable in one message. A 6-digit number counts as a code
    only when a code is expected or the message says it is one."""
    text = unicodedata.normalize("NFKC", (text or "")[:2000])
    folded = fold(text)
    facts = Facts()
    without_emails = _without(text, find_emails(text))
    for found in find_nips(without_emails):
        if "nip" in folded or not check_phone(found.text).e164:
            facts.nip = found.nip
            break
    facts.phones, facts.phone_attempt = _phones(without_emails, facts.nip)
    facts.emails, facts.bad_email = _emails(text)
    phone_digits = {re.sub(r"\D", "", phone.e164 or "")[-9:] for phone in facts.phones}
    says_code = bool(re.search(r"\bkod|\bcode|sms", folded))
    if expecting_code or says_code:
        for found in find_codes(without_emails):
            code = found.digits
            if not any(code in digits for digits in phone_digits):
                facts.code = code
                break
        if facts.code is None and not facts.phones:
            typo = _DIGIT_RUN.search(re.sub(r"(?<=\d)[ \-](?=\d)", "", without_emails))
            if typo and len(typo.group(0)) != 6 and (expecting_code or says_code):
                facts.code_typo = typo.group(0)
    if _PRIVATE.search(folded):
        facts.account_type = "private"
    if _COMPANY.search(folded) or facts.nip:
        facts.account_type = "company" if not _PRIVATE.search(folded) or facts.nip else facts.account_type
    name = _COMPANY_NAME.search(text)
    if name:
        facts.company_name = name.group(1).strip(" .,")
    facts.plural = bool(_PLURAL.search(folded))
    facts.no_phone = bool(_NO_PHONE.search(folded))
    facts.correction = bool(_CORRECTION.search(folded))
    # Button payloads ("/email_not_working") are not words the customer wrote.
    facts.english = None if text.startswith("/") else _language(folded)
    facts.problem = next((path for path, pattern in _PROBLEM_HINTS if pattern.search(folded)), None)
    if _MAILBOX_WORKS.search(folded) and re.search(r"hasl|hasel|password", folded):
        facts.problem = "password"    # "nie pamiętam hasła, maila odbieram normalnie"
    facts.wants_reset_link = bool(_RESET_LINK.search(folded))
    facts.wants_person = bool(_PERSON.search(folded))
    facts.account_type_unsure = bool(_ACCOUNT_UNSURE.search(folded))
    facts.asks = {intent for intent, pattern in _QUESTIONS if pattern.search(folded)}
    return facts


def choose_email(emails: list[Email]) -> Optional[Email]:
    """The address to use, when the message says which; None when it is ambiguous."""
    candidates = [email for email in emails if email.role != "old" and not email.avoided]
    preferred = [email for email in candidates if email.preferred]
    if len(preferred) == 1:
        return preferred[0]
    if len(candidates) == 1:
        return candidates[0]
    return None
