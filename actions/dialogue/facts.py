"""Facts a customer states in a message, whatever the assistant asked: phone
numbers, e-mail addresses (and whether each is the dead one or the one to use),
the SMS code, account type, NIP, company name, "I no longer have that phone",
corrections and preferences, and the language of the message. What the message
*means* (its intent) is not decided here: the model decides it (actions/engine/understanding.py).

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
_PRIVATE = re.compile(r"prywatn|osob\w* fizyczn|na siebie|na mnie|na moje nazwisko|na osobe|private|personal|"
                      r"\b(in|on|under) my (own )?name")
_COMPANY = re.compile(r"\bfirm|jednoosobow|sp\.? ?z o\.? ?o|spolk|dzialalnosc|jdg|organizacj|stowarzysz|fundacj|szkol|"
                      r"urzad|\bs\.?a\.?\b|\bnip\b|company|business|organisation|organization|ltd")
_PLURAL = re.compile(r"w imieniu firmy|\bnasz\w*|\b(mamy|piszemy|jestesmy|chcemy|prosimy|pamietamy|wiemy|"
                     r"potrzebujemy|mozemy|uzywamy|dostajemy|widzimy|zmienimy|wyslemy)\b|"
                     r"\b\w+(li|ly)smy\b")     # the past tense of "we": zmienilismy, stracilysmy
# The customer writing as one person ("nie pamiętam", "mam", "mój"): with no plural sign in the same
# message, the conversation's register is "Pan/Pani" from then on (turn.py).
_SINGULAR = re.compile(r"\b(mam|nie mam|jestem|pamietam|zapomnial[ea]m|chce|chcial[ea]m|moge|moj\w*|mnie|mi|"
                       r"dostal[ea]m|zmienil[ea]m|stracil[ea]m|zgubil[ea]m|wiem|pisze|prosze o)\b")
_UPPER = "A-ZĄĆĘŁŃÓŚŹŻ"
# A company's whole name after "firma/spółka/w imieniu firmy" or "company" (any case ending, maybe in
# brackets): capitalised words, joined by "i", "oraz", "&" or a dash, with its legal form ("sp. z o.o.",
# "Sp. j.", "S.A."), or anything in quotes; it stops at a tax or register number's name (and at "I").
_LEGAL_FORM = r"(?:\s+(?i:sp\.?\s?z\s?o\.?\s?o\.?|sp\.\s?[jkp]\.?|s\.\s?c\.?|s\.\s?a\.?|sp[oó]łka\s+\w+))"
_NAME_WORD = rf"(?!(?:NIP|KRS|REGON|VAT|Tel|Telefon|I)\b|(?i:sp\.|s\.\s?[ac]\.))[{_UPPER}0-9][\w&\-’']*"
_LEGAL_FORM_END = re.compile(_LEGAL_FORM + "$")
_COMPANY_NAME = re.compile(
    r"(?i:w imieniu firmy|firm\w{0,3}|sp[oó][lł]k\w{0,3}|fundacj\w{0,2}|stowarzyszeni\w{0,3}|company)\s+\(?"
    r"(?:(?i:jawn\w*|cywiln\w*|komandytow\w*|z\s?o\.?\s?o\.?)\s+)?"
    rf"(?:[„\"“]([^”\"“„]{{2,120}})[”\"“]|({_NAME_WORD}(?:(?:\s+(?i:i|oraz|and)\s+|\s*[&\-–]\s*|\s+){_NAME_WORD}){{0,9}}"
    rf"{_LEGAL_FORM}?))")
_PHONE_WORD = r"(telefon\w*|numer\w*|komork\w*|kart\w* sim|phone|number)"
# "I no longer have the registered phone" as a fact of the message, next to whatever it means:
# the words must be about the phone itself ("telefonu już nie mam", "ani telefonu", "numer
# nieaktualny"), never across another subject ("telefon mam, ale mail nie działa").
_NOT_ACROSS = r"(?:(?!mail|poczt|skrzynk|adres|login|hasl)[^.;!?]){0,30}"
_NO_PHONE = re.compile(
    r"nie ma(m|my)\W+((juz|tez|ani|tego|starego|tamtego|dostepu|do|z|panelu)\W+){0,3}" + _PHONE_WORD + "|"
    + _PHONE_WORD + r"\W+((z|w|panelu|konta|tego|starego)\W+){0,2}(juz |chyba |tez |niestety )?nie ma(m|my)\b|"
    r"ani (do )?" + _PHONE_WORD + "|" + _PHONE_WORD + _NOT_ACROSS + r"(przepadl|zgubil|ukradl|ukradzion|skradzion|"
    r"stracil|nieaktywn|nieaktualn|nie istnieje|wylaczon|oddal|gone\b|disconnected|"
    r"belonged to [^.;!?]{0,30}(left|quit))|(stracil\w*|zgubil\w*|ukradli\w*) .{0,15}" + _PHONE_WORD
    + r"|bez " + _PHONE_WORD + r"|zmienil\w* (numer|operatora i numer)|numeru juz nie|"
    r"no longer have (the|that|my) (phone|number)|lost (my |the )?phone|(don'?t|do not) have (the|that|my) "
    r"(phone|number)|changed my (phone )?number|neither the phone")
_ACCOUNT_UNSURE = re.compile(r"(chyba|raczej|moze|nie wiem czy|nie jestem pew\w+)\W+(\w+\W+){0,1}?"
                             r"(firm|prywatn|sluzbow|osob)|sluzbow")
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
    singular: bool = False
    no_phone: bool = False                        # the registered phone is gone (and no number is given)
    correction: bool = False
    english: Optional[bool] = None                # None: too short to tell
    account_type_unsure: bool = False

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
        facts.company_name = (name.group(1) or name.group(2)).strip(" ,")
        if not _LEGAL_FORM_END.search(facts.company_name):
            facts.company_name = facts.company_name.rstrip(".")
    facts.plural = bool(_PLURAL.search(folded))
    facts.singular = not facts.plural and bool(_SINGULAR.search(folded))
    facts.no_phone = bool(_NO_PHONE.search(folded)) and not facts.phones
    facts.correction = bool(_CORRECTION.search(folded))
    # Button payloads ("/email_not_working") are not words the customer wrote.
    facts.english = None if text.startswith("/") else _language(folded)
    # A NIP or a company's name with its legal form settles it, whatever else sounds unsure ("komórka służbowa").
    facts.account_type_unsure = bool(_ACCOUNT_UNSURE.search(folded)) and not (facts.nip or facts.company_name)
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
