"""Which candidate language each word of a sentence is in, when they share a script.

A model that drifts switches language mid-sentence ("Zuerst berechnen wir die Summe,
then we divide the result by two, und am Ende ..."), so a sentence judged as a whole
is all or nothing.  Judged word by word it is noisy instead: lingua, restricted to
German and English, reads "then" and "we" as slightly German.  So each word gets
lingua's confidence for each candidate (high accuracy, restricted to the candidates
of its script), and the words' languages are the most likely sequence in which every
switch of language costs SWITCH_COST (a Viterbi path over the log confidences).

What the cost means:
- A word's evidence is at most log(1 / CONFIDENCE_FLOOR - 1) ~ 3.9 nats (a word with
  letters only one candidate uses, such as German "prüfen", is as strong as it gets).
  Leaving a sentence's language and coming back costs 2 × SWITCH_COST = 5 nats, so a
  single foreign word inside a sentence ("Gradient", "Loss") keeps the sentence's
  language, and a foreign clause of a few clear words ("then we divide the result")
  switches.
- A run at either end of a sentence pays one switch only, so two clear words there can
  switch already.

The cost is linear in the words, with one lingua call (~10 µs) per distinct word and
candidate set, cached: reasoning repeats its words a lot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from lingua import Language

from rewardd.rewards.language_detectors import restricted_detector

SWITCH_COST = 2.5
# lingua says 0.0 for a language whose alphabet lacks a letter of the word; a floor
# keeps one such word from outweighing any context.
CONFIDENCE_FLOOR = 0.02
_MAX_WORD_CHARS = 40


@lru_cache(maxsize=131072)
def _word_log_confidences(word: str, candidates: tuple[Language, ...]) -> tuple[float, ...]:
    """log P(language | word) for each of `candidates`, floored at CONFIDENCE_FLOOR."""
    values = restricted_detector(frozenset(candidates)).compute_language_confidence_values(word)
    by_language = {value.language: value.value for value in values}
    return tuple(math.log(max(by_language.get(c, 0.0), CONFIDENCE_FLOOR)) for c in candidates)


def word_languages(words: Sequence[str], candidates: tuple[Language, ...]) -> list[Language]:
    """The language of each of `words`: the likeliest path with a cost per switch."""
    # lingua lowercases its input, so the lowercase word shares the cache entry.  A word
    # longer than any real one is garbage: its first letters tell as much.
    evidence = [_word_log_confidences(word[:_MAX_WORD_CHARS].lower(), candidates) for word in words]
    if not evidence:
        return []
    k = len(candidates)
    favourites = {max(range(k), key=row.__getitem__) for row in evidence}
    if len(favourites) == 1:
        # Every word prefers one language: no path can score higher than staying in it.
        return [candidates[favourites.pop()]] * len(words)
    scores = list(evidence[0])
    came_from: list[list[int]] = []
    for row in evidence[1:]:
        best = max(range(k), key=scores.__getitem__)
        switched = scores[best] - SWITCH_COST
        pointers = [j if scores[j] >= switched else best for j in range(k)]
        scores = [max(scores[j], switched) + row[j] for j in range(k)]
        came_from.append(pointers)
    state = max(range(k), key=scores.__getitem__)
    path = [state]
    for pointers in reversed(came_from):
        state = pointers[state]
        path.append(state)
    path.reverse()
    return [candidates[j] for j in path]
