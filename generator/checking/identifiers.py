"""Checks for Chinese identifiers: resident ID numbers, credit codes, phone numbers.

Every check is a pure function that takes the text as an editor typed it and returns a
:class:`Checked`: the normalised text, and, when the text is wrong, a message in Chinese with a
short English gloss and the id of the rule that failed. A check stops at the first problem it
finds, in the order the rules are listed in :data:`RULES`.

The docstrings' examples are run by the tests, so what staff read here stays true.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "Checked",
    "RULES",
    "SERVICE_NUMBERS",
    "check_credit_code",
    "check_id_number",
    "check_phone",
    "international",
    "check_ascii_digits",
    "compact",
    "find_id_numbers",
    "mask_id_number",
    "normalize",
    "tel_uri",
]


@dataclass(frozen=True)
class Checked:
    """The outcome of one check: the normalised value, and the problem if there is one."""

    value: str
    error: str | None = None
    rule: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


#: Rule id -> what it checks, in the order the checks apply them.
RULES: dict[str, str] = {
    "digits-ascii": (
        "电话号码和证件号码中的数字只用 0–9（全角数字会自动转换） "
        "(digits are 0-9 after NFKC: no Arabic-Indic or other scripts' digits)"
    ),
    "id-format": "身份证号码为 18 位：17 位数字加 1 位数字或 X (18 characters: 17 digits, then a digit or X)",
    "id-region": "身份证号码前两位为省级行政区划代码 (first two digits are a province code)",
    "id-birth-date": "身份证号码第 7–14 位为真实出生日期 (characters 7-14 are a real birth date)",
    "id-check-digit": "身份证号码校验位符合 GB 11643 (check digit per GB 11643)",
    "credit-code-format": "统一社会信用代码为 18 位，字符与前两位代码符合 GB 32100 (18 characters per GB 32100)",
    "credit-code-region": "统一社会信用代码第 3–8 位为行政区划代码 (characters 3-8 are a region code)",
    "credit-code-org": (
        "统一社会信用代码第 9–17 位为有效的组织机构代码 (characters 9-17 are a GB 11714 organisation code)"
    ),
    "credit-code-check-digit": "统一社会信用代码校验位符合 GB 32100 (check character per GB 32100)",
    "phone-format": "电话号码为手机号、固定电话或服务号码 (a mobile, landline or service number)",
    "phone-landline-exists": (
        "固定电话的区号存在，号码位数与该区号相符 (the area code exists and the number has its length, per libphonenumber)"
    ),
}

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

#: First two digits of GB/T 2260 province-level region codes.
PROVINCE_CODES = frozenset(
    [f"{n}" for n in range(11, 16)]
    + [f"{n}" for n in range(21, 24)]
    + [f"{n}" for n in range(31, 38)]
    + [f"{n}" for n in range(41, 47)]
    + [f"{n}" for n in range(50, 55)]
    + [f"{n}" for n in range(61, 66)]
    + ["71", "81", "82", "83"]
)


def normalize(text: str) -> str:
    """Return ``text`` in the form the checks compare.

    Unicode NFKC (full-width ``４３０１`` and ``Ｘ`` become ASCII), zero-width characters removed,
    surrounding whitespace stripped.

    >>> normalize(" ４３０１\\u200b０２Ｘ ")
    '430102X'
    """
    return unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).strip()


def check_ascii_digits(text: str, what: str) -> Checked:
    """Refuse digits that NFKC does not turn into 0-9 (Arabic-Indic ٨, Devanagari ८ ...): they look like
    digits to a reader but no phone dials them and no register knows them. Rule: ``digits-ascii``.

    >>> check_ascii_digits("13٨00001234", "电话号码").error
    '电话号码中的 ٨ 不是 0–9 的数字（第 3 个字符，U+0668），请用 0–9 重新输入 (٨ is not a digit 0-9: character 3, U+0668)'
    """
    value = normalize(text)
    for index, char in enumerate(value, start=1):
        if char.isdigit() and not ("0" <= char <= "9"):
            return Checked(
                value,
                f"{what}中的 {char} 不是 0–9 的数字（第 {index} 个字符，U+{ord(char):04X}），请用 0–9 重新输入 "
                f"({char} is not a digit 0-9: character {index}, U+{ord(char):04X})",
                "digits-ascii",
            )
    return Checked(value)


# --- Resident ID number (GB 11643-1999) -------------------------------------------------------

_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)


def _id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def check_id_number(text: str, *, today: date | None = None) -> Checked:
    """Check an 18-character resident ID number (居民身份证号码, GB 11643-1999).

    Rules, in order: ``digits-ascii``, ``id-format``, ``id-region``, ``id-birth-date`` (a real date, not before
    1900-01-01 and not after ``today``, which defaults to the current date), ``id-check-digit``.
    A trailing lowercase ``x`` is accepted and written as ``X``.

    >>> check_id_number("430102199003075016")
    Checked(value='430102199003075016', error=None, rule=None)
    >>> check_id_number("430102199003075011").error
    '身份证号码校验位错误，应为 6 (wrong check digit, expected 6)'
    """
    digits = check_ascii_digits(text, "身份证号码")
    if not digits.ok:
        return digits
    value = digits.value
    if value.endswith("x"):
        value = value[:-1] + "X"

    if not _ID_SHAPE.fullmatch(value):
        if re.fullmatch(r"[0-9]{15}", value):
            message = (
                "身份证号码为 15 位旧号码，不予受理，请填写 18 位号码 "
                "(old 15-digit ID numbers are not accepted; use the 18-character number)"
            )
        else:
            message = (
                "身份证号码应为 18 位：17 位数字加 1 位数字或 X，不接受 15 位旧号码 "
                "(must be 18 characters: 17 digits then a digit or X; "
                "15-digit old numbers are not accepted)"
            )
        return Checked(value, message, "id-format")

    if value[:2] not in PROVINCE_CODES:
        return Checked(
            value,
            f"身份证号码前两位 {value[:2]} 不是有效的省级行政区划代码 "
            f"(first two digits {value[:2]} are not a province code)",
            "id-region",
        )

    birth = value[6:14]
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        born = None
    if born is None:
        return Checked(
            value,
            f"身份证号码中的出生日期 {digits} 不存在 (birth date {digits} is not a real date)",
            "id-birth-date",
        )
    today = today or date.today()
    if born > today:
        return Checked(
            value,
            f"身份证号码中的出生日期 {born.isoformat()} 晚于今天 (birth date {born.isoformat()} is in the future)",
            "id-birth-date",
        )
    if born < _EARLIEST_BIRTH:
        return Checked(
            value,
            f"身份证号码中的出生日期 {born.isoformat()} 早于 1900-01-01 "
            f"(birth date {born.isoformat()} is before 1900-01-01)",
            "id-birth-date",
        )

    expected = _id_check_digit(value[:17])
    if value[17] != expected:
        return Checked(
            value,
            f"身份证号码校验位错误，应为 {expected} (wrong check digit, expected {expected})",
            "id-check-digit",
        )
    return Checked(value)


# --- ID numbers hidden in any text ------------------------------------------------------------

#: Characters a hostile or careless writer may put between the digits of an ID number to hide it:
#: spaces of every width, hyphens and dashes, zero-width characters, the soft hyphen.
_SEPARATOR_CATEGORIES = frozenset({"Zs", "Pd", "Cf"})


def _id_character(char: str) -> str | None:
    """The ASCII digit or ``X`` that ``char`` stands for (full-width, Arabic-Indic and other decimal
    digits included), ``""`` for a separator, or None for anything that ends a run of digits."""
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) == 1:
        value = unicodedata.decimal(folded, None)
        if value is not None:
            return str(value)
        if folded in "Xx":
            return "X"
    if folded.isspace() or all(unicodedata.category(c) in _SEPARATOR_CATEGORIES for c in folded):
        return ""
    return None


def compact(text: str) -> str:
    """``text`` normalised (:func:`normalize`) without the separators :func:`find_id_numbers` skips
    between digits (spaces, hyphens and dashes, zero-width characters).

    >>> compact("HN-4307 0219\u200b9202")
    'HN430702199202'
    """
    return "".join(char for char in normalize(text) if _id_character(char) != "")


#: After NFKC every character _id_character reads as a digit is a decimal digit (category Nd).
_DIGIT_OR_X = re.compile(r"[\dXx]")


def find_id_numbers(text: str) -> list[tuple[int, int, str]]:
    """Every resident ID number in ``text``, however it is written: ``(start, end, number)`` with the
    positions in ``text`` of its first and last character (end exclusive) and the 18 ASCII characters.

    The one definition of "an ID number" for the privacy rule (generator/checking/privacy.py): any 18
    characters, 17 digits then a digit or X, whose GB 11643 check digit is right, after NFKC
    (full-width and other decimal digits count), with spaces, hyphens and zero-width characters
    between them ignored. A longer run of digits is searched at every offset. Region and birth date
    are not required: a number that only looks like an ID is refused rather than risked.

    >>> find_id_numbers("身份证 430102 1990 0307 5016 遗失")
    [(4, 25, '430102199003075016')]
    >>> find_id_numbers("４３０１０２１９９００３０７５０１６")[0][2]
    '430102199003075016'
    >>> find_id_numbers("4301021990\u200b03075011")  # wrong check digit: not an ID number
    []
    """
    if len(_DIGIT_OR_X.findall(unicodedata.normalize("NFKC", text))) < 18:
        return []  # fewer than 18 digits and X in all: none (C speed, the common case: names, places)
    found: list[tuple[int, int, str]] = []
    run: list[tuple[str, int]] = []  # (ASCII digit or X, position in text) of the current run
    for position, char in enumerate([*text, "\n"]):  # a final newline ends the last run
        mapped = _id_character(char) if position < len(text) else None
        if mapped:
            run.append((mapped, position))
            continue
        if mapped == "":
            continue
        if len(run) >= 18:
            digits = "".join(d for d, _ in run)
            for offset in range(len(digits) - 17):
                candidate = digits[offset : offset + 18]
                if "X" not in candidate[:17] and _id_check_digit(candidate[:17]) == candidate[17]:
                    found.append((run[offset][1], run[offset + 17][1] + 1, candidate))
        run = []
    return found


# --- Unified social credit code (GB 32100-2015) -----------------------------------------------

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_REGISTRATION_AUTHORITIES = frozenset("123456789ANY")
_ORGANISATION_TYPES = frozenset("123456789Y")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
#: Central-level bodies carry the national code 100000 instead of a province's.
_NATIONAL_REGION = "100000"


def _org_code_check(body: str) -> str:
    """GB 11714 check character for an 8-character organisation code body."""
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_WEIGHTS))  # A=10 .. Z=35
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def _credit_check(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(text: str) -> Checked:
    """Check an 18-character unified social credit code (统一社会信用代码, GB 32100-2015).

    Rules, in order: ``credit-code-format`` (length, characters, registration authority and
    organisation type codes), ``credit-code-region`` (characters 3-8), ``credit-code-org``
    (characters 9-17, a GB 11714 organisation code with its own check character),
    ``credit-code-check-digit`` (character 18). Lowercase letters are accepted and uppercased.

    >>> check_credit_code("51431321MJK37776XR")
    Checked(value='51431321MJK37776XR', error=None, rule=None)
    >>> check_credit_code("51431321MJK37776XA").error
    '统一社会信用代码校验位错误，应为 R (wrong check character, expected R)'
    """
    value = normalize(text).upper()

    if len(value) != 18:
        return Checked(
            value,
            f"统一社会信用代码应为 18 位，现为 {len(value)} 位 (must be 18 characters, got {len(value)})",
            "credit-code-format",
        )
    bad = sorted({ch for ch in value if ch not in _CREDIT_ALPHABET})
    if bad:
        shown = " ".join(bad)
        return Checked(
            value,
            f"统一社会信用代码含有不允许的字符 {shown}（只用数字和除 I、O、S、V、Z 以外的大写字母） "
            f"(characters {shown} are not allowed: "
            "digits and capital letters except I, O, S, V, Z)",
            "credit-code-format",
        )
    if value[0] not in _REGISTRATION_AUTHORITIES:
        return Checked(
            value,
            f"统一社会信用代码第 1 位登记管理部门代码 {value[0]} 无效 "
            f"(registration authority code {value[0]} is not valid)",
            "credit-code-format",
        )
    if value[1] not in _ORGANISATION_TYPES:
        return Checked(
            value,
            f"统一社会信用代码第 2 位机构类别代码 {value[1]} 无效 (organisation type code {value[1]} is not valid)",
            "credit-code-format",
        )

    region = value[2:8]
    if not region.isdigit() or (region[:2] not in PROVINCE_CODES and region != _NATIONAL_REGION):
        return Checked(
            value,
            f"统一社会信用代码第 3–8 位 {region} 不是有效的行政区划代码 "
            f"(characters 3-8, {region}, are not an administrative region code)",
            "credit-code-region",
        )

    expected_org = _org_code_check(value[8:16])
    if value[16] != expected_org:
        return Checked(
            value,
            f"统一社会信用代码第 9–17 位组织机构代码校验位错误，第 17 位应为 {expected_org} "
            f"(organisation code in characters 9-17 is wrong: "
            f"character 17 should be {expected_org})",
            "credit-code-org",
        )

    expected = _credit_check(value[:17])
    if value[17] != expected:
        return Checked(
            value,
            f"统一社会信用代码校验位错误，应为 {expected} (wrong check character, expected {expected})",
            "credit-code-check-digit",
        )
    return Checked(value)


# --- Phone numbers ----------------------------------------------------------------------------

#: Public service numbers accepted as they are (police, fire, 12345 government hotline, ...).
SERVICE_NUMBERS = frozenset(["110", "119", "120", "122", "12309", "12315", "12333", "12345", "12348", "12355", "12368"])

# [0-9], not \d: Python's \d matches every script's digits (Arabic-Indic ٨ too), which a tel: link cannot dial.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_SEPARATORS = re.compile(r"[ -]")
# Area codes: 010 and 020-029 have three digits, every other one four (0734, 0731, ...).
_LANDLINE = re.compile(
    r"(?P<area>010|02[0-9]|0[3-9][0-9][0-9])[- ]?(?P<local>[2-9][0-9]{6,7})"
    r"(?:(?:-|\s*转\s*)(?P<ext>[0-9]{1,6}))?"
)

_PHONE_MESSAGE = (
    "电话号码格式不正确：手机号为 1 开头的 11 位数字（如 13800001234），"
    "固定电话为区号加 7–8 位号码（如 0734-5261234，分机写作 0734-5261234转123） "
    "(not a valid phone number: a mobile is 11 digits starting with 1, e.g. 13800001234; "
    "a landline is an area code and a 7-8 digit number, e.g. 0734-5261234)"
)


#: A number written for callers abroad: +86 or 0086 before it (and the trunk 0 in brackets, +86 (0)734 …).
_INTERNATIONAL = re.compile(r"(?:\+|00)\s*86[\s-]*(?:\(0\)\s*)?")


def international(text: str) -> bool:
    """Whether the number is written with +86 or 0086 (it is then shown in the national form).

    >>> international("+86 734 5261234"), international("0734-5261234")
    (True, False)
    """
    return bool(_INTERNATIONAL.match(normalize(text)))


def check_phone(text: str) -> Checked:
    """Check a mobile, landline or public service phone number.

    Mobiles may contain spaces or hyphens and are normalised to 11 digits. Landlines are
    normalised to ``area-local`` with an optional extension written ``转123``. Service numbers are
    those in :data:`SERVICE_NUMBERS`. A number written with ``+86`` or ``0086`` is read in its national
    form. Rules: ``digits-ascii`` (Arabic-Indic and other scripts' digits are refused, not dialled),
    ``phone-format``, then ``phone-landline-exists`` (libphonenumber's data: the area code exists and
    the number has that area's length).

    >>> check_phone("0734 5261234").value
    '0734-5261234'
    >>> check_phone("+86 734 5261234").value
    '0734-5261234'
    >>> check_phone("0734-0261234").rule
    'phone-format'
    >>> check_phone("0740-5261234").rule
    'phone-landline-exists'
    """
    digits = check_ascii_digits(text, "电话号码")
    if not digits.ok:
        return digits
    value = digits.value
    prefix = _INTERNATIONAL.match(value)
    if prefix:
        value = value[prefix.end() :]
        value = value if value.startswith(("0", "1")) else "0" + value  # +86 734 … is 0734 … at home

    compact = _MOBILE_SEPARATORS.sub("", value)
    if _MOBILE.fullmatch(compact):
        return Checked(compact)
    if value in SERVICE_NUMBERS and not prefix:
        return Checked(value)
    landline = _LANDLINE.fullmatch(value)
    if landline:
        number = f"{landline['area']}-{landline['local']}"
        if landline["ext"]:
            number += f"转{landline['ext']}"
        return _landline_exists(landline["area"], landline["local"], number)
    return Checked(digits.value, _PHONE_MESSAGE, "phone-format")


def _valid(digits: str) -> bool:
    """Whether libphonenumber's data (phonenumberslite) knows the Chinese number `digits` as valid."""
    import phonenumbers

    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(digits, "CN"))
    except phonenumbers.NumberParseException:
        return False


@functools.cache
def _local_lengths(area: str) -> tuple[int, ...]:
    """The lengths a local number has in `area` (empty: no such area code)."""
    return tuple(n for n in (7, 8) if any(_valid(area + first + "0" * (n - 1)) for first in "2345678"))


def _landline_exists(area: str, local: str, number: str) -> Checked:
    """The landline, or why libphonenumber's data says it cannot be dialled. Rule: ``phone-landline-exists``.

    >>> _landline_exists("0731", "5261234", "0731-5261234").error
    '固定电话 0731-5261234 的号码位数不对：区号 0731 的号码是 8 位，这里是 7 位 (numbers in area 0731 have 8 digits, this one has 7)'
    """
    if _valid(area + local):
        return Checked(number)
    lengths = _local_lengths(area)
    if not lengths:
        message = (
            f"固定电话 {number} 的区号 {area} 不存在，请核对区号（湖南各市为 0730、0731、0734–0739、0743–0746） "
            f"(no such area code {area})"
        )
    elif len(local) not in lengths:
        want = "或".join(map(str, lengths))
        message = (
            f"固定电话 {number} 的号码位数不对：区号 {area} 的号码是 {want} 位，这里是 {len(local)} 位 "
            f"(numbers in area {area} have {'/'.join(map(str, lengths))} digits, this one has {len(local)})"
        )
    else:
        message = f"固定电话 {number} 不是在用的号码段，请核对 (not a number in use in area {area})"
    return Checked(number, message, "phone-landline-exists")


def tel_uri(normalised: str) -> str:
    """Return the ``tel:`` link for a phone number: digits only, an extension after a comma.

    Raises ``ValueError`` if the text is not a valid phone number.

    >>> tel_uri("0734-5261234转123")
    'tel:07345261234,123'
    """
    checked = check_phone(normalised)
    if not checked.ok:
        raise ValueError(f"not a valid phone number: {normalised!r}")
    number, _, extension = checked.value.partition("转")
    uri = "tel:" + number.replace("-", "")
    return f"{uri},{extension}" if extension else uri


# --- Masking ----------------------------------------------------------------------------------


def mask_id_number(number: str, keep_start: int = 2, keep_end: int = 4, mask_char: str = "*") -> str:
    """Hide the middle of an ID number; the whole number is never published.

    If keeping ``keep_start + keep_end`` characters would show the whole number, every character
    is masked. The text is normalised first (full-width digits, a lowercase x).

    >>> mask_id_number("430102199003075011")
    '43************5011'
    """
    if keep_start < 0 or keep_end < 0:
        raise ValueError("keep_start and keep_end must not be negative")
    value = normalize(number).upper()
    if keep_start + keep_end >= len(value):
        return mask_char * len(value)
    end = value[len(value) - keep_end :]
    return value[:keep_start] + mask_char * (len(value) - keep_start - keep_end) + end
