"""The region codes libphonenumber has a numbering plan for (``phonenumbers.SUPPORTED_REGIONS``).

A default country is accepted only if national numbers can be read with it, so
the rule is libphonenumber's own list. It is written out here because importing
``phonenumbers`` costs a cold start tens of milliseconds, and the check reads
its configuration on every container start while its E.164 fast path never
needs the library. ``tests/unit/test_settings.py`` compares this set with the
pinned library's and prints the replacement text when an upgrade changes it.
"""

from __future__ import annotations

from typing import Final

#: The codes as the test prints them: sorted, space separated, 28 to a line.
_CODES: Final = """
AC AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN
BO BQ BR BS BT BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE
DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM
GN GP GQ GR GT GU GW GY HK HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE
KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH
MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ
OM PA PE PF PG PH PK PL PM PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI
SJ SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD TG TH TJ TK TL TM TN TO TR TT TV TW
TZ UA UG US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
"""
#: ISO 3166-1 alpha-2 codes (and libphonenumber's AC, TA, XK) with a numbering plan.
REGIONS: Final = frozenset(_CODES.split())

#: Codes people write that are not ISO 3166 codes, and the code they mean.
COMMON_MISTAKES: Final = {"UK": "GB", "EN": "GB", "EL": "GR"}
