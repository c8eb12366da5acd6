"""MTOD: PyText TSV and CoNLL files, the real data's quirks, errors, translations from a file."""

from __future__ import annotations

import unicodedata

import pytest

from benchmarks.datasets.mtod import MtodLoader
from xalign.data.examples import SlotFillingExample
from xalign.errors import DataError

SPANISH = [
    ("alarm/set_alarm", "15:29:datetime", "Pon una alarma para las siete "),
    ("weather/find", "0:6:weather/noun,12:19:location", "Lluvia  en  Sevilla?"),
]


@pytest.fixture
def data_dir(tmp_path, write, mtod_row):
    text = "".join(mtod_row(*row) + "\n" for row in SPANISH)
    for stem in ("train", "eval", "test"):
        write(f"es/{stem}-es.tsv", text)
    return tmp_path


def test_pytext_rows_parse_with_cased_words_and_exact_bio(data_dir):
    split = MtodLoader().load_split(data_dir, "es_XX", "train")
    assert split.examples[0] == SlotFillingExample(
        id="es-train-1",
        words=("Pon", "una", "alarma", "para", "las", "siete"),
        slot_tags=("O", "O", "O", "B-datetime", "I-datetime", "I-datetime"),
        intent="alarm/set_alarm",
        language="es",
    )
    assert split.examples[1].words == ("Lluvia", "en", "Sevilla?")
    assert split.examples[1].slot_tags == ("B-weather/noun", "O", "B-location")
    assert split.notes["misaligned_spans"] == 1  # "Sevilla?" is one word; the slot stops before "?"
    assert split.skipped == []


def test_dev_split_reads_the_eval_file(data_dir):
    split = MtodLoader().load_split(data_dir, "es", "dev")
    assert split.files == [str(data_dir / "es" / "eval-es.tsv")]
    assert [example.id for example in split.examples] == ["es-dev-1", "es-dev-2"]


def test_unspaced_text_with_slots_inside_words_is_tagged_by_overlap(write, tmp_path, mtod_row):
    # Thai-like unspaced text: tokens "setalarm", "fornoon", "today"; the slot starts inside "fornoon"
    utterance = "setalarmfornoontoday"
    tokens = {
        "tokens": ["setalarm", "fornoon", "today"],
        "tokenSpans": [{"start": 0, "length": 8}, {"start": 8, "length": 7}, {"start": 15, "length": 5}],
    }
    row = mtod_row("alarm/set_alarm", "11:20:datetime", utterance, locale="th_TH", tokens=tokens)
    write("th/train-th_TH.tsv", row + "\n")
    split = MtodLoader().load_split(tmp_path, "TH", "train")
    assert split.examples[0].slot_tags == ("O", "B-datetime", "I-datetime")
    assert split.notes["misaligned_spans"] == 1
    assert split.files == [str(tmp_path / "th" / "train-th_TH.tsv")]


def test_token_spans_counted_in_decomposed_characters_are_repaired(write, tmp_path, mtod_row):
    utterance = "Alarma mañana temprano"  # slots count characters, token spans count NFD code points
    shift = len(unicodedata.normalize("NFD", "ñ")) - 1
    tokens = {
        "tokens": ["alarma", "mañana", "temprano"],
        "tokenSpans": [
            {"start": 0, "length": 6},
            {"start": 7, "length": 6 + shift},
            {"start": 14 + shift, "length": 8},
        ],
    }
    write("es/train-es.tsv", mtod_row("alarm/set_alarm", "7:22:datetime", utterance, tokens=tokens) + "\n")
    split = MtodLoader().load_split(tmp_path, "es", "train")
    assert split.examples[0].words == ("Alarma", "mañana", "temprano")
    assert split.examples[0].slot_tags == ("O", "B-datetime", "I-datetime")
    assert split.notes["token_spans_repaired"] == 1
    assert split.notes["misaligned_spans"] == 0


def test_negative_slot_start_is_clamped_and_counted(write, tmp_path, mtod_row):
    write("es/test-es.tsv", mtod_row("alarm/set_alarm", "-2:9:datetime", "El martes alarma") + "\n")
    split = MtodLoader().load_split(tmp_path, "es", "test")
    assert split.examples[0].slot_tags == ("B-datetime", "I-datetime", "O")
    assert split.notes["clamped_slot_starts"] == 1


CONLL = """# text: Pon una alarma a las siete
# intent: alarm/set_alarm
# slots: 15:28:datetime
1\tpon\talarm/set_alarm\tNoLabel
2\tuna\talarm/set_alarm\tNoLabel
3\talarma\talarm/set_alarm\tNoLabel
4\ta\talarm/set_alarm\tB-datetime
5\tlas\talarm/set_alarm\tI-datetime
6\tsiete\talarm/set_alarm\tI-datetime

# text: Cancela la alarma
# intent: alarm/cancel_alarm
# slots:
1\tcancela\talarm/cancel_alarm\tNoLabel
2\tla\talarm/cancel_alarm\tNoLabel
3\talarma\talarm/cancel_alarm\tNoLabel
"""


def test_conll_blocks_parse_with_nolabel_as_o(write, tmp_path):
    write("es/train-es.conllu", CONLL)
    split = MtodLoader(format="conll").load_split(tmp_path, "es", "train")
    assert split.examples == [
        SlotFillingExample(
            "es-train-1",
            ("pon", "una", "alarma", "a", "las", "siete"),
            ("O", "O", "O", "B-datetime", "I-datetime", "I-datetime"),
            "alarm/set_alarm",
            "es",
        ),
        SlotFillingExample("es-train-2", ("cancela", "la", "alarma"), ("O", "O", "O"), "alarm/cancel_alarm", "es"),
    ]
    assert split.notes == {"slots": 1}


def test_auto_format_prefers_tsv_and_falls_back_to_conll(data_dir, write):
    write("es/train-es.conllu", CONLL)
    assert MtodLoader().load_split(data_dir, "es", "train").files[0].endswith(".tsv")
    (data_dir / "es" / "train-es.tsv").unlink()
    assert MtodLoader().load_split(data_dir, "es", "train").files[0].endswith(".conllu")


@pytest.mark.parametrize(
    ("old", "new", "line", "problem"),
    [
        ("4\ta\talarm/set_alarm\tB-datetime", "4\ta\talarm/set_alarm\tdatetime", 7, "is not O, B-TYPE or I-TYPE"),
        ("5\tlas\talarm/set_alarm\tI-datetime", "7\tlas\talarm/set_alarm\tI-datetime", 8, "token index '7', expected 5"),
        ("2\tuna\talarm/set_alarm\tNoLabel", "2\tuna\tNoLabel", 5, "expected 4 tab-separated columns, found 3"),
        ("# intent: alarm/cancel_alarm", "# intnt: alarm/cancel_alarm", 12, "'# intent:'"),
        ("3\talarma\talarm/set_alarm", "3\talarma\talarm/other", 6, "differs from the '# intent:' line"),
    ],
)
def test_malformed_conll_names_file_line_and_problem(write, tmp_path, old, new, line, problem):
    assert old in CONLL
    path = write("es/train-es.conllu", CONLL.replace(old, new, 1))
    with pytest.raises(DataError) as caught:
        MtodLoader(format="conll").load_split(tmp_path, "es", "train")
    assert f"{path}:{line}:" in str(caught.value)
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("tokens_json", "problem"),
    [
        ('{"tokenizations": [{"tokens": ["hola"], "tokenSpans": [{"start": 0, "length": 4}]}', "bad tokenisation JSON"),
        ('{"tokenizations": []}', "no tokenization"),
        ('{"tokens": ["hola"]}', "bad tokenisation JSON"),
    ],
)
def test_malformed_tokenisation_json_names_file_line_and_problem(write, tmp_path, tokens_json, problem):
    path = write("es/train-es.tsv", f"greet/hi\t\thola\tes_XX\t{tokens_json}\n")
    with pytest.raises(DataError) as caught:
        MtodLoader().load_split(tmp_path, "es", "train")
    assert f"{path}:1:" in str(caught.value)
    assert problem in str(caught.value)


def test_unknown_locale_names_file_and_line(write, tmp_path, mtod_row):
    path = write("es/train-es.tsv", mtod_row("greet/hi", "", "hola", locale="xx_XX") + "\n")
    with pytest.raises(DataError, match=rf"{path}:1: unknown language code 'xx_XX'"):
        MtodLoader().load_split(tmp_path, "es", "train")


def test_translations_need_a_file_and_read_line_aligned_ones(data_dir, write):
    loader = MtodLoader()
    english = [SlotFillingExample(f"en-train-{n}", ("hi",), ("O",), "greet/hi", "en") for n in (1, 2)]
    with pytest.raises(DataError, match="translation_file="):
        loader.load_translations(data_dir, "es", english)
    path = write("translations/es/train.tsv", "hola\r\nbuenos días\n")
    translations = loader.load_translations(data_dir, "es", english, translation_file=path)
    texts = {key: value.text for key, value in translations.by_id.items()}
    assert texts == {"en-train-1": "hola", "en-train-2": "buenos días"}
    assert translations.source == f"line-aligned file {path}"
