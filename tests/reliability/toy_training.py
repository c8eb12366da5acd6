"""A small XeroAlign training run, executed as a separate process by the reliability tests.

``python toy_training.py ENCODER_DIR OUTPUT_DIR [--resume] [--epochs N] [--checkpoint-every N]
[--step-delay SECONDS]`` trains a joint intent/slot assembly on a tiny random encoder with
dropout on, on the CPU, with a fixed seed. ``--step-delay`` sleeps inside every forward pass
of the aligner (between the forward and the backward of a step) so that a test can kill the
process in the middle of a step; it changes no number.

Prints ``{"steps": ..., "resumed_from": ...}`` when done. Some rows are longer than
``max_length`` (7 tokens), so the truncation counter must survive a resume too.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

TIMES = ["seven am", "noon", "six pm", "midnight", "ten am", "four pm"]
GENRES = ["jazz", "rock", "pop", "folk", "blues", "soul"]
CITIES = ["berlin", "paris", "rome", "vienna", "oslo", "madrid"]
GERMAN = {"seven am": "sieben uhr", "noon": "mittag", "six pm": "achtzehn uhr", "midnight": "mitternacht",
          "ten am": "zehn uhr", "four pm": "sechzehn uhr", "rome": "rom", "vienna": "wien"}
INTENTS = ("alarm", "music", "weather")
SLOT_LABELS = ("O", "B-TIME", "I-TIME", "B-GENRE", "B-CITY")


def toy_data():
    """18 English examples (6 per intent), their German translations, and the German test set."""
    from xalign.data.examples import SlotFillingExample, Translation

    english, german_test, translations = [], [], {}

    def add(intent, words, tags, german_words, german_tags):
        example_id = f"en-{len(english)}"
        english.append(SlotFillingExample(example_id, tuple(words), tuple(tags), intent, "en"))
        translations[example_id] = Translation(example_id, "de", " ".join(german_words))
        german_test.append(SlotFillingExample(f"de-{len(german_test)}", tuple(german_words), tuple(german_tags), intent, "de"))

    def time_tags(words):
        return ["B-TIME"] + ["I-TIME"] * (len(words) - 1)

    for time_text in TIMES:
        words, german = time_text.split(), GERMAN[time_text].split()
        add("alarm", ["set", "an", "alarm", "for", *words], ["O"] * 4 + time_tags(words), ["wecker", "für", *german], ["O", "O", *time_tags(german)])
    for genre in GENRES:
        add("music", ["play", "some", genre], ["O", "O", "B-GENRE"], ["spiel", "etwas", genre], ["O", "O", "B-GENRE"])
    for city in CITIES:
        german_city = GERMAN.get(city, city)
        add("weather", ["weather", "in", city], ["O", "O", "B-CITY"], ["wetter", "in", german_city], ["O", "O", "B-CITY"])
    return english, {"de": translations}, german_test


def vocabulary() -> list[str]:
    english, translations, _ = toy_data()
    words = {word for example in english for word in example.words}
    words |= {word for translation in translations["de"].values() for word in translation.text.split()}
    return sorted(words)


def main() -> int:
    arguments = argparse.ArgumentParser()
    arguments.add_argument("encoder")
    arguments.add_argument("output")
    arguments.add_argument("--resume", action="store_true")
    arguments.add_argument("--epochs", type=int, default=3)
    arguments.add_argument("--checkpoint-every", type=int, default=1)
    arguments.add_argument("--step-delay", type=float, default=0.0)
    options = arguments.parse_args()

    import torch

    torch.set_num_threads(1)
    import xalign
    from xalign.aligners.mse import MSEAligner

    if options.step_delay:
        forward = MSEAligner.forward

        def slow_forward(self, source, target):
            time.sleep(options.step_delay)
            return forward(self, source, target)

        MSEAligner.forward = slow_forward

    english, translations, german_test = toy_data()
    config = xalign.XalignConfig(
        model=xalign.ModelConfig(encoder=options.encoder, aligner="mse", intent_labels=INTENTS, slot_labels=SLOT_LABELS,
                                 max_length=7, dropout=0.1),
        training=xalign.TrainingConfig(epochs=options.epochs, batch_size=4, learning_rate=2e-3, seed=7, device="cpu",
                                       checkpoint_every=options.checkpoint_every, keep_checkpoints=2, progress=False),
    )
    torch.manual_seed(7)  # the heads' initial weights
    assembly, _ = xalign.build(config)
    # A TrainingInterrupted (SIGINT/SIGTERM) is not caught: the user sees the library's own message.
    result = xalign.train(assembly, english, translations, output_dir=options.output,
                          eval_sets={"en": english[:6], "de": german_test}, resume=options.resume)
    print(json.dumps({"steps": result.steps, "resumed_from": result.resumed_from}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
