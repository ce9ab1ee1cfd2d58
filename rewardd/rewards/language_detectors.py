"""The lingua detectors of the language component, built once per process and cached.

Building a detector is the expensive part of lingua (models are loaded then), so every
detector here is built once and kept: one fast all-language detector, and one accurate
detector per candidate set.  lingua keeps loaded models in one store per process, so a
detector per candidate set costs nothing beyond the models of languages not loaded yet.
"""

from __future__ import annotations

from functools import cache, lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder


@cache
def broad_detector() -> LanguageDetector:
    """All 75 languages, low-accuracy mode, preloaded: ~90 MB; proposes candidates."""
    return (
        LanguageDetectorBuilder.from_all_languages()
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )


@lru_cache(maxsize=64)
def restricted_detector(candidates: frozenset[Language]) -> LanguageDetector:
    """High accuracy, restricted to `candidates`: asks "German or English?", not "which of 75?"."""
    return LanguageDetectorBuilder.from_languages(*candidates).build()
