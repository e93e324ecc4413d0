"""The Spanish readability figure (tests/readability.py): syllables counted by rule and the
Fernández-Huerta score, against counts made by hand."""

from __future__ import annotations

import pytest
from readability import fernandez_huerta, syllables_es

#: Spanish words and their syllables, divided by hand (RAE's rules: diphthongs, hiatus, the
#: silent u of que/qui/gue/gui, a final y).
SYLLABLES = {
    "clínica": 3,  # clí-ni-ca
    "formulario": 4,  # for-mu-la-rio
    "ayuda": 3,  # a-yu-da
    "teléfono": 4,  # te-lé-fo-no
    "psicoterapia": 5,  # psi-co-te-ra-pia
    "día": 2,  # dí-a
    "oído": 3,  # o-í-do
    "siguiente": 3,  # si-guien-te
    "que": 1,
    "guerra": 2,  # gue-rra
    "hoy": 1,
    "muy": 1,
    "y": 1,
    "poeta": 3,  # po-e-ta
    "ciudad": 2,  # ciu-dad
    "país": 2,  # pa-ís
    "aéreo": 4,  # a-é-re-o
    "cuidado": 3,  # cui-da-do
    "pingüino": 3,  # pin-güi-no
    "988": 1,
}


@pytest.mark.parametrize(("word", "count"), SYLLABLES.items())
def test_spanish_syllables(word: str, count: int) -> None:
    assert syllables_es(word) == count


def test_fernandez_huerta_by_hand() -> None:
    # 7 words, 2 sentences; el 1, pe-rro 2, co-me 2, la 1, ca-sa 2, es 1, a-zul 2 = 11.
    expected = 206.84 - 60 * 11 / 7 - 1.02 * 7 / 2
    assert fernandez_huerta("El perro come. La casa es azul.") == pytest.approx(expected)


def test_longer_words_and_sentences_read_harder() -> None:
    easy = "Llame al 988. Es gratis. Hay ayuda."
    hard = (
        "La administración de medicamentos antidepresivos requiere supervisión clínica "
        "especializada y evaluación periódica de posibles contraindicaciones."
    )
    assert fernandez_huerta(easy) > 80 > 30 > fernandez_huerta(hard)
    assert fernandez_huerta("") == 0.0
