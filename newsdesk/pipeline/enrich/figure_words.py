"""The words figures are read with: number words, scales, fractions, months, currency
marks and words, measures, and the words around a number that change what it is.

Data only; `figures` builds its patterns and readings from these tables.
"""

from __future__ import annotations

from decimal import Decimal

#: number words from zero to nineteen
SMALL_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
}
SHORT_SCALES = {
    "k": Decimal(10) ** 3,
    "m": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "mln": Decimal(10) ** 6,
    "b": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "bln": Decimal(10) ** 9,
    "tn": Decimal(10) ** 12,
    "trn": Decimal(10) ** 12,
}
FRACTIONS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fourth": 4,
    "fourths": 4,
    "fifth": 5,
    "fifths": 5,
    "sixth": 6,
    "sixths": 6,
    "eighth": 8,
    "eighths": 8,
    "tenth": 10,
    "tenths": 10,
}
MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
#: currency marks written before the amount, longest first
PREFIX_CODES = {
    "US$": "USD",
    "U.S.$": "USD",
    "A$": "AUD",
    "AU$": "AUD",
    "NT$": "NTD",
    "HK$": "HKD",
    "S$": "SGD",
    "C$": "CAD",
    "CA$": "CAD",
    "NZ$": "NZD",
    "R$": "BRL",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "USD": "USD",
    "EUR": "EUR",
    "GBP": "GBP",
    "CNY": "CNY",
    "RMB": "CNY",
    "JPY": "JPY",
    "AUD": "AUD",
    "HKD": "HKD",
    "NTD": "NTD",
    "TWD": "NTD",
    "SGD": "SGD",
    "CAD": "CAD",
    "CHF": "CHF",
    "INR": "INR",
    "KRW": "KRW",
}
#: currency words written after the amount
WORD_CODES = {
    "dollars": "USD",
    "dollar": "USD",
    "us dollars": "USD",
    "u.s. dollars": "USD",
    "american dollars": "USD",
    "australian dollars": "AUD",
    "canadian dollars": "CAD",
    "hong kong dollars": "HKD",
    "singapore dollars": "SGD",
    "new zealand dollars": "NZD",
    "new taiwan dollars": "NTD",
    "taiwan dollars": "NTD",
    "taiwanese dollars": "NTD",
    "yuan": "CNY",
    "renminbi": "CNY",
    "yen": "JPY",
    "euros": "EUR",
    "euro": "EUR",
    "pounds sterling": "GBP",
    "rupees": "INR",
    "ringgit": "MYR",
    "baht": "THB",
    "rupiah": "IDR",
    "roubles": "RUB",
    "rubles": "RUB",
    "won": "KRW",
    "philippine pesos": "PHP",
    "mexican pesos": "MXN",
    "swiss francs": "CHF",
    **{code.lower(): code for code in ("USD", "EUR", "GBP", "CNY", "JPY", "AUD", "HKD")},
    "rmb": "CNY",
    "ntd": "NTD",
    "twd": "NTD",
}
MEASURES = {
    "kilometres": "km",
    "kilometre": "km",
    "kilometers": "km",
    "kilometer": "km",
    "km": "km",
    "metres": "m",
    "metre": "m",
    "meters": "m",
    "meter": "m",
    "centimetres": "cm",
    "centimetre": "cm",
    "centimeters": "cm",
    "centimeter": "cm",
    "cm": "cm",
    "millimetres": "mm",
    "millimetre": "mm",
    "millimeters": "mm",
    "millimeter": "mm",
    "mm": "mm",
    "miles": "mi",
    "mile": "mi",
    "kilograms": "kg",
    "kilogram": "kg",
    "kg": "kg",
    "tonnes": "t",
    "tonne": "t",
    "litres": "l",
    "litre": "l",
    "liters": "l",
    "liter": "l",
    "millilitres": "ml",
    "millilitre": "ml",
    "milliliters": "ml",
    "ml": "ml",
    "hectares": "ha",
    "hectare": "ha",
    "ha": "ha",
}
#: words after a number that are not what it counts
NOT_UNITS = frozenset(
    """a an the this that these those of to in on at by for from with than as and or but
    nor so if when while since until after before during per percent cent is are was were
    be been being has have had will would could should can may might must do does did not
    no also only just about around more less most least other others new major additional
    separate different such similar further fewer many several previous remaining own
    same each every which who whom whose what where it its their his her our your my we
    they he she i you them him us me there here then now yet still even into onto over
    under up down out off between among against through across toward towards via within
    without percentage basis times a.m p.m am pm""".split()
)
APPROXIMATORS = frozenset(
    "about around some nearly almost roughly approximately than least over under just only "
    "exactly total".split()
)
YEAR_PREFIXES = frozenset({"mid", "early", "late", "pre", "post"})
ONE_PRONOUN_BEFORE = frozenset(
    {"no", "the", "this", "that", "every", "any", "each", "which", "someone", "anyone"}
)
