"""One-line cases for every identifier rule."""

from __future__ import annotations

import dataclasses
import doctest
from datetime import date

import pytest

from generator.checking import identifiers
from generator.checking.identifiers import (
    Checked,
    check_credit_code,
    check_id_number,
    check_phone,
    mask_id_number,
    normalize,
    tel_uri,
)

TODAY = date(2024, 6, 1)


def test_docstring_examples_hold():
    result = doctest.testmod(identifiers)
    assert result.attempted > 0
    assert result.failed == 0


def test_checked_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Checked("x", None, None).value = "y"


def test_every_rule_is_listed():
    assert set(identifiers.RULES) == {
        "id-format",
        "id-region",
        "id-birth-date",
        "id-check-digit",
        "credit-code-format",
        "credit-code-region",
        "credit-code-org",
        "credit-code-check-digit",
        "phone-format",
        "phone-landline-exists",
        "digits-ascii",
    }


class TestNormalize:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("４３０１０２", "430102"),
            ("ＸＡｂ", "XAb"),
            ("43\u200b01\u200c02\u200d\u2060\ufeff", "430102"),
            ("  430102 \n", "430102"),
            ("\u3000430102\u3000", "430102"),  # ideographic space
        ],
    )
    def test_normalize(self, text, expected):
        assert normalize(text) == expected


class TestIdNumber:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("430102199003075016", "430102199003075016"),
            ("430424198506120034", "430424198506120034"),
            ("440304200002291236", "440304200002291236"),  # 29 February of a leap year
            ("11010519491231002X", "11010519491231002X"),
            ("11010519491231002x", "11010519491231002X"),  # lowercase x
            ("４３０１０２１９９００３０７５０１６", "430102199003075016"),  # full-width
            ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
            ("430102\u200b199003075016\ufeff", "430102199003075016"),  # zero-width
            (" 430102199003075016 ", "430102199003075016"),
        ],
    )
    def test_valid(self, text, expected):
        assert check_id_number(text, today=TODAY) == Checked(expected, None, None)

    @pytest.mark.parametrize(
        "text, rule",
        [
            ("", "id-format"),
            ("430102900307501", "id-format"),  # 15-digit old number
            ("43010219900307501", "id-format"),  # 17 characters
            ("4301021990030750161", "id-format"),
            ("43010219900307501Y", "id-format"),
            ("X30102199003075016", "id-format"),
            ("430102 199003075016", "id-format"),
            ("000102199003075016", "id-region"),
            ("990102199003075016", "id-region"),
            ("430102199002305016", "id-birth-date"),  # 30 February
            ("430224198202290017", "id-birth-date"),  # 29 February, not a leap year
            ("430102199013075016", "id-birth-date"),  # month 13
            ("430102203001015016", "id-birth-date"),  # future
            ("430102189912315016", "id-birth-date"),  # before 1900
            ("430102199003075011", "id-check-digit"),
            ("43010219900307501X", "id-check-digit"),
        ],
    )
    def test_invalid(self, text, rule):
        checked = check_id_number(text, today=TODAY)
        assert checked.rule == rule
        assert checked.error and "(" in checked.error  # Chinese with an English gloss

    def test_check_digit_message(self):
        assert check_id_number("430102199003075011", today=TODAY).error == (
            "身份证号码校验位错误，应为 6 (wrong check digit, expected 6)"
        )

    def test_fifteen_digit_message_says_old_numbers_are_refused(self):
        error = check_id_number("430102900307501", today=TODAY).error
        assert "15" in error and "not accepted" in error

    def test_future_is_relative_to_today(self):
        leap_day = "440304200002291236"
        assert check_id_number(leap_day, today=date(2000, 2, 28)).rule == "id-birth-date"
        assert check_id_number(leap_day, today=date(2000, 2, 29)).error is None

    def test_today_defaults_to_current_date(self):
        assert check_id_number("430102199003075016").error is None

    def test_value_is_normalised_even_when_invalid(self):
        assert check_id_number("４３０１０２１９９００３０７５０１１").value == "430102199003075011"


class TestCreditCode:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("51431321MJK37776XR", "51431321MJK37776XR"),  # from DESIGN.md
            ("91430100MA4L12346D", "91430100MA4L12346D"),
            ("52430424MJJ1234500", "52430424MJJ1234500"),
            ("12431300MB1C00003F", "12431300MB1C00003F"),
            ("91440300MA5F0000X1", "91440300MA5F0000X1"),  # organisation check character X
            ("91430100ma4l12346d", "91430100MA4L12346D"),  # lowercase
            ("９１４３０１００ＭＡ４Ｌ１２３４６Ｄ", "91430100MA4L12346D"),  # full-width
            ("91430100\u200bMA4L12346D", "91430100MA4L12346D"),  # zero-width
        ],
    )
    def test_valid(self, text, expected):
        assert check_credit_code(text) == Checked(expected, None, None)

    @pytest.mark.parametrize(
        "text, rule",
        [
            ("", "credit-code-format"),
            ("91430100MA4L1234", "credit-code-format"),  # too short
            ("91430100MA4L12346DD", "credit-code-format"),
            ("91430100MA4I12346D", "credit-code-format"),  # I is not in the alphabet
            ("91430100MA4O12346D", "credit-code-format"),  # O neither
            ("B1430100MA4L12346D", "credit-code-format"),  # registration authority
            ("0143010MAA4L12346D", "credit-code-format"),
            ("90430100MA4L12346D", "credit-code-format"),  # organisation type 0
            ("9A430100MA4L12346D", "credit-code-format"),
            ("91A30100MA4L12346D", "credit-code-region"),  # region must be digits
            ("91990100MA4L12346D", "credit-code-region"),  # 99 is no province
            ("91000000MA4L12346D", "credit-code-region"),
            ("91430100MA4L12345D", "credit-code-org"),
            ("123456789012345678", "credit-code-org"),  # passes mod 31 only by coincidence
            ("91430100MA4L12346A", "credit-code-check-digit"),
            ("51431321MJK37776X0", "credit-code-check-digit"),
        ],
    )
    def test_invalid(self, text, rule):
        checked = check_credit_code(text)
        assert checked.rule == rule
        assert checked.error and "(" in checked.error

    def test_coincidence_really_passes_mod_31(self):
        assert identifiers._credit_check("12345678901234567") == "8"

    def test_messages_name_the_expected_character(self):
        assert check_credit_code("91430100MA4L12346A").error == (
            "统一社会信用代码校验位错误，应为 D (wrong check character, expected D)"
        )
        assert "应为 6" in check_credit_code("91430100MA4L12345D").error

    def test_central_level_region_code(self):
        code = "11100000MB000000" + identifiers._org_code_check("MB000000")
        code += identifiers._credit_check(code)
        assert check_credit_code(code).error is None


class TestPhone:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("13800001234", "13800001234"),
            ("199 1234 5678", "19912345678"),
            ("138 0000 1234", "13800001234"),
            ("138-0000-1234", "13800001234"),
            ("１３８００００１２３４", "13800001234"),
            ("\u200b13800001234 ", "13800001234"),
            ("0734-5261234", "0734-5261234"),
            ("07345261234", "0734-5261234"),
            ("0734 5261234", "0734-5261234"),
            ("0731-84561234", "0731-84561234"),
            ("010-62751234", "010-62751234"),
            ("01062751234", "010-62751234"),
            ("020-87651234", "020-87651234"),
            ("0734－5261234", "0734-5261234"),  # full-width hyphen
            ("0734-5261234-123", "0734-5261234转123"),
            ("0734-5261234转123", "0734-5261234转123"),
            ("0734-5261234 转 8", "0734-5261234转8"),
            ("12345", "12345"),
            ("12348", "12348"),
            ("+86 13800001234", "13800001234"),  # written for callers abroad: read in the national form
            ("+86-138-0000-1234", "13800001234"),
            ("008613800001234", "13800001234"),
            ("+86 734 5261234", "0734-5261234"),  # the trunk 0 is left out after +86
            ("+86 (0)734 5261234", "0734-5261234"),
            ("0086 0731-84561234", "0731-84561234"),
            ("+86 734 5261234转12", "0734-5261234转12"),
            ("12368", "12368"),
            ("110", "110"),
        ],
    )
    def test_valid(self, text, expected):
        assert check_phone(text) == Checked(expected, None, None)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "1380000123",  # too short
            "138000012345",  # too long
            "12800001234",  # no 12x mobiles
            "23800001234",
            "0734-0261234",  # local number starts with 0
            "0734-1261234",  # ... or 1
            "0734-526123",  # 6-digit local number
            "0734-526123456",
            "073-45261234",  # 073 is not a three-digit area code
            "0101-62751234",
            "5261234",  # no area code
            "12346",  # not a service number
            "114514",
            "0734-5261234转",
            "+86 12345",  # a service number is dialled at home only
            "+1 2025550123",
            "+8613800001",
        ],
    )
    def test_invalid(self, text):
        checked = check_phone(text)
        assert checked.rule == "phone-format"
        assert "13800001234" in checked.error and "0734-5261234" in checked.error

    @pytest.mark.parametrize(
        "text, uri",
        [
            ("13800001234", "tel:13800001234"),
            ("0734-5261234", "tel:07345261234"),
            ("0734-5261234转123", "tel:07345261234,123"),
            ("010-62751234", "tel:01062751234"),
            ("12348", "tel:12348"),
            ("138 0000 1234", "tel:13800001234"),
        ],
    )
    def test_tel_uri(self, text, uri):
        assert tel_uri(text) == uri

    @pytest.mark.parametrize(
        "text, says",
        [
            ("0740-5261234", "区号 0740 不存在"),  # 0740, 0741, 0300: no such area codes
            ("0741-5261234", "区号 0741 不存在"),
            ("0300-5261234", "区号 0300 不存在"),
            ("0732-5261234", "区号 0732 不存在"),  # 湘潭's old code, part of 0731 since 2009
            ("0731-5261234", "区号 0731 的号码是 8 位，这里是 7 位"),  # Changsha numbers have 8 digits
            ("0734-52612345", "区号 0734 的号码是 7 位，这里是 8 位"),
            ("+86 740 5261234", "区号 0740 不存在"),
        ],
    )
    def test_landline_must_exist(self, text, says):
        """libphonenumber's data (phonenumberslite) is asked only whether the cleaned number exists."""
        checked = check_phone(text)
        assert checked.rule == "phone-landline-exists"
        assert says in checked.error and "(" in checked.error  # Chinese, then an English gloss

    @pytest.mark.parametrize(
        "area, digits",
        [
            ("0730", 7),
            ("0731", 8),
            ("0734", 7),
            ("0735", 7),
            ("0736", 7),
            ("0737", 7),
            ("0738", 7),
            ("0739", 7),
            ("0743", 7),
            ("0744", 7),
            ("0745", 7),
            ("0746", 7),
        ],
    )
    def test_every_hunan_area_code_exists(self, area, digits):
        assert check_phone(f"{area}-5{'2' * (digits - 1)}").ok

    def test_tel_uri_refuses_invalid_numbers(self):
        with pytest.raises(ValueError):
            tel_uri("0734-0261234")


class TestMask:
    @pytest.mark.parametrize(
        "args, expected",
        [
            (("430102199003075011",), "43************5011"),
            (("11010519491231002X",), "11************002X"),
            (("11010519491231002x",), "11************002X"),
            (("430102199003075011", 6, 0), "430102************"),
            (("430102199003075011", 0, 4), "**************5011"),
            (("430102199003075011", 3, 1, "●"), "430" + "●" * 14 + "1"),
            (("４３０１０２１９９００３０７５０１１",), "43************5011"),
            (("430102",), "******"),  # never show a short number whole
            (("",), ""),
        ],
    )
    def test_mask(self, args, expected):
        assert mask_id_number(*args) == expected

    def test_negative_keep_is_refused(self):
        with pytest.raises(ValueError):
            mask_id_number("430102199003075011", -1)
