"""Times, days and durations in six languages: the DATE_TIME and DURATION value pools.

Owns the composition rules (``tomorrow`` + ``at 7 am`` -> ``tomorrow at 7 am``,
``morgen um 7 Uhr``, ``mañana a las 7 de la mañana``, ``demain à 7 h``,
``कल सुबह 7 बजे``, ``พรุ่งนี้ 7 โมงเช้า``). DATE_TIME values carry their preposition, as
MTOP's slots do (``[SL:DATE_TIME for 7 am ]``), so every template can take any of them.

Pools: ``clock`` (a day and a clock time, or a part of a day), ``moment`` (``clock`` plus
relative times such as ``in 20 minutes``, which make alarms and timers confusable), ``day``
(a day or part of a day, for weather and reminder look-ups), ``duration``.
"""

from __future__ import annotations

from benchmarks.demo.lexicon import Value, value
from benchmarks.demo.schema import LANGUAGES, TARGET_LANGUAGES

CLOCK_TIMES = ((6, 0), (6, 30), (7, 0), (7, 30), (8, 0), (9, 0), (14, 0), (15, 0), (18, 0), (20, 0), (21, 0), (22, 0))

# key: en, de, es, fr, hi, th. The prefix each language puts before a clock time.
WEEKDAYS = (
    ("monday", "on Monday", "am Montag", "el lunes", "lundi", "सोमवार को", "วันจันทร์"),
    ("wednesday", "on Wednesday", "am Mittwoch", "el miércoles", "mercredi", "बुधवार को", "วันพุธ"),
    ("friday", "on Friday", "am Freitag", "el viernes", "vendredi", "शुक्रवार को", "วันศุกร์"),
    ("saturday", "on Saturday", "am Samstag", "el sábado", "samedi", "शनिवार को", "วันเสาร์"),
    ("sunday", "on Sunday", "am Sonntag", "el domingo", "dimanche", "रविवार को", "วันอาทิตย์"),
)
CLOCK_DAYS = (
    ("any", "", "", "", "", "", ""),
    ("today", "today", "heute", "hoy", "aujourd'hui", "आज", "วันนี้"),
    ("tomorrow", "tomorrow", "morgen", "mañana", "demain", "कल", "พรุ่งนี้"),
) + WEEKDAYS

# Parts of a day; in both the ``clock`` and the ``day`` pools.
DAY_PARTS = (
    ("tomorrow-morning", "tomorrow morning", "morgen früh", "mañana por la mañana", "demain matin", "कल सुबह", "พรุ่งนี้ เช้า"),
    ("tonight", "tonight", "heute Abend", "esta noche", "ce soir", "आज रात", "คืนนี้"),
    ("this-afternoon", "this afternoon", "heute Nachmittag", "esta tarde", "cet après-midi", "आज दोपहर", "บ่าย นี้"),
    ("tomorrow-evening", "tomorrow evening", "morgen Abend", "mañana por la noche", "demain soir", "कल शाम", "พรุ่งนี้ เย็น"),
)
DAYS = DAY_PARTS + (
    ("today", "today", "heute", "hoy", "aujourd'hui", "आज", "วันนี้"),
    ("tomorrow", "tomorrow", "morgen", "mañana", "demain", "कल", "พรุ่งนี้"),
    ("this-weekend", "this weekend", "am Wochenende", "este fin de semana", "ce week-end", "इस वीकेंड", "สุดสัปดาห์ นี้"),
    ("day-after-tomorrow", "the day after tomorrow", "übermorgen", "pasado mañana", "après-demain", "परसों", "มะรืนนี้"),
    ("next-week", "next week", "nächste Woche", "la próxima semana", "la semaine prochaine", "अगले हफ़्ते", "สัปดาห์ หน้า"),
    ("tomorrow-afternoon", "tomorrow afternoon", "morgen Nachmittag", "mañana por la tarde", "demain après-midi", "कल दोपहर", "พรุ่งนี้ บ่าย"),
) + WEEKDAYS

def _clock(language: str, hour: int, minute: int, machine: bool = False) -> str:
    """A clock time with its preposition, as a native speaker (or a machine translation) writes it."""
    twelve = hour % 12 or 12
    if language == "en":
        return f"at {twelve}{f':{minute:02d}' if minute else ''} {'am' if hour < 12 else 'pm'}"
    if language == "de":
        if machine:
            part = "morgens" if hour < 12 else "nachmittags" if hour < 18 else "abends"
            return f"um {twelve}{f':{minute:02d}' if minute else ''} Uhr {part}"
        return f"um {hour}{f':{minute:02d}' if minute else ''} Uhr"
    if language == "es":
        if machine:
            return f"a las {twelve}:{minute:02d} {'a. m.' if hour < 12 else 'p. m.'}"
        part = "de la mañana" if hour < 12 else "de la tarde" if hour < 20 else "de la noche"
        return f"a las {twelve}{f':{minute:02d}' if minute else ''} {part}"
    if language == "fr":
        if machine:
            part = "du matin" if hour < 12 else "de l'après-midi" if hour < 18 else "du soir"
            return f"à {twelve} heures{f' {minute}' if minute else ''} {part}"
        return f"à {hour} h{f' {minute:02d}' if minute else ''}"
    if language == "hi":
        part = "सुबह" if hour < 12 else "दोपहर" if hour < 16 else "शाम" if hour < 20 else "रात"
        clock = f"{twelve}{f':{minute:02d}' if minute else ''} बजे"
        return f"{clock} {part}" if machine else f"{part} {clock}"
    if language == "th":
        if machine:
            return f"เวลา {hour:02d}.{minute:02d} น."
        if hour < 12:
            return f"{hour} โมง ครึ่ง" if minute else f"{hour} โมง เช้า"
        if hour < 16:
            return f"บ่าย {hour - 12} โมง"
        if hour < 19:
            return f"{hour - 12} โมง เย็น"
        return f"{hour - 18} ทุ่ม"
    raise ValueError(f"no clock times for language {language!r}")


def _join(day: str, time: str) -> str:
    return f"{day} {time}" if day else time


def _clock_values() -> list[Value]:
    values = []
    for day_key, *day_forms in CLOCK_DAYS:
        for hour, minute in CLOCK_TIMES:
            days = dict(zip(LANGUAGES, day_forms))
            forms = {language: _join(days[language], _clock(language, hour, minute)) for language in LANGUAGES}
            machine = {
                language: _join(days[language], _clock(language, hour, minute, machine=True))
                for language in TARGET_LANGUAGES
            }
            values.append(Value(f"{day_key}@{hour:02d}:{minute:02d}", forms, machine))
    values.extend(value(key, *forms) for key, *forms in DAY_PARTS)
    return values


def _relative_values() -> list[Value]:
    values = [
        value(f"in-{n}-minutes", f"in {n} minutes", f"in {n} Minuten", f"dentro de {n} minutos", f"dans {n} minutes",
              f"{n} मिनट में", f"อีก {n} นาที")
        for n in (5, 10, 15, 20, 30, 45)
    ]
    values.append(value("in-1-hour", "in an hour", "in einer Stunde", "dentro de una hora", "dans une heure",
                        "एक घंटे में", "อีก 1 ชั่วโมง"))
    values.extend(
        value(f"in-{n}-hours", f"in {n} hours", f"in {n} Stunden", f"dentro de {n} horas", f"dans {n} heures",
              f"{n} घंटे में", f"อีก {n} ชั่วโมง")
        for n in (2, 3)
    )
    return values


def _duration_values() -> list[Value]:
    # Hindi durations are written in the oblique case (घंटे, आधे) because every Hindi
    # timer template puts a postposition after them (का, के लिए, पर).
    values = [
        value(f"{n}-minutes", f"{n} minutes", f"{n} Minuten", f"{n} minutos", f"{n} minutes", f"{n} मिनट", f"{n} นาที")
        for n in (2, 3, 5, 8, 10, 12, 15, 20, 25, 30, 40, 45, 50, 90)
    ]
    values.extend(
        value(f"{n}-seconds", f"{n} seconds", f"{n} Sekunden", f"{n} segundos", f"{n} secondes", f"{n} सेकंड", f"{n} วินาที")
        for n in (30, 45, 90)
    )
    values.extend(
        value(f"{n}-hours", f"{n} hours", f"{n} Stunden", f"{n} horas", f"{n} heures", f"{n} घंटे", f"{n} ชั่วโมง")
        for n in (2, 3)
    )
    values.append(value("1-minute", "one minute", "eine Minute", "un minuto", "une minute", "एक मिनट", "1 นาที"))
    values.append(value("1-hour", "one hour", "eine Stunde", "una hora", "une heure", "एक घंटे", "1 ชั่วโมง"))
    values.append(value("half-hour", "half an hour", "eine halbe Stunde", "media hora", "une demi-heure", "आधे घंटे",
                        "ครึ่ง ชั่วโมง"))
    return values


def time_pools() -> dict[str, tuple[Value, ...]]:
    """The DATE_TIME and DURATION pools (see the module docstring)."""
    clock = tuple(_clock_values())
    return {
        "clock": clock,
        "moment": clock + tuple(_relative_values()),
        "day": tuple(value(key, *forms) for key, *forms in DAYS),
        "duration": tuple(_duration_values()),
    }
