"""The wire format of the REST API (see CONTRACT.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from rewardd.rewards.parameters import checked_params, for_components
from rewardd.rewards.registry import COMPONENTS

MAX_ITEMS = 4096


# Deeper JSON than this is refused: real references nest a few levels, and deeper values
# would run recursive walks (pickling to a grading process, for one) out of stack.
MAX_JSON_DEPTH = 64


def json_problem(value: Any, path: str = "", depth: int = 0) -> str | None:
    """What makes `value` unfit to grade, naming where (a dotted path); None if it is fine.

    - A lone surrogate ("\\ud800"): JSON's \\u escapes can spell half of a surrogate pair,
      which no UTF-8 text can hold, and which would break every later step (encoding a
      response, writing a file in the sandbox).
    - Nesting deeper than MAX_JSON_DEPTH.
    """
    where = f" (at {path})" if path else ""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"text holds a lone surrogate{where}, which is not valid Unicode"
        return None
    if depth >= MAX_JSON_DEPTH and isinstance(value, dict | list | tuple | BaseModel):
        return f"the value is nested more than {MAX_JSON_DEPTH} levels deep{where}"
    if isinstance(value, BaseModel):
        return json_problem(value.model_dump(), path, depth)
    if isinstance(value, dict):
        for key, inner in value.items():
            name = str(key).encode("utf-8", "backslashreplace").decode()
            inner_path = f"{path}.{name}" if path else name
            if json_problem(key) is not None:
                return json_problem(key, f"{inner_path} (a key)")
            if (found := json_problem(inner, inner_path, depth + 1)) is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            if (found := json_problem(inner, f"{path}[{index}]", depth + 1)) is not None:
                return found
    return None


def _valid_unicode(value: Any) -> Any:
    problem = json_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


# Every client-supplied string and JSON value passes through these, or through a field
# validator calling `_valid_unicode` where the type is a union (so that `loc` stays the field).
Text = Annotated[str, AfterValidator(_valid_unicode)]
JsonValue = Annotated[Any, AfterValidator(_valid_unicode)]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Text
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text; OpenAI-style content parts are joined."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(str(part.get("text", "")) for part in self.content)


class RewardItem(BaseModel):
    id: str | int | None = Field(None, description="echoed back in the result")
    prompt: str | list[ChatMessage] | None = Field(
        None, description="the prompt, for the default `lang` and OpenRLHF"
    )
    completion: str | list[ChatMessage] = Field(
        description="the text, or a chat list whose last assistant message is graded"
    )
    task: Literal["math", "code"] | None = Field(
        None, description="inferred when absent: code if the reference has tests"
    )
    reference: dict[str, Any] = Field(
        default_factory=dict,
        description='math: {"answer": ...}; code: {"tests": ...} or {"test_cases": [...]}',
    )
    lang: str | None = Field(
        None, pattern=r"^[a-z]{2}$", description="ISO 639-1 target language of the reasoning"
    )
    completion_tokens: int | None = Field(None, ge=0, description="for the length rewards")
    group: Text | None = Field(
        None,
        max_length=1024,
        description="the item's GRPO group, for group components such as `length`; "
        "default: the items of the request with the same prompt and reference",
    )
    # The request's `params` for the components it grades; set by RewardsRequest, so that
    # `wire()` carries them to the grader and into the cache key, in every mode.
    _params: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)

    _unicode_fields = field_validator("id", "prompt", "completion", "reference")(_valid_unicode)

    @field_validator("completion")
    @classmethod
    def _has_assistant_message(cls, value: str | list[ChatMessage]) -> str | list[ChatMessage]:
        if isinstance(value, list) and not any(m.role == "assistant" for m in value):
            raise ValueError("a chat completion needs at least one assistant message")
        return value

    def completion_text(self) -> str:
        if isinstance(self.completion, str):
            return self.completion
        return [m for m in self.completion if m.role == "assistant"][-1].text()

    def prompt_text(self) -> str | None:
        if self.prompt is None or isinstance(self.prompt, str):
            return self.prompt
        users = [m for m in self.prompt if m.role == "user"] or self.prompt
        return users[-1].text() if users else None

    def wire(self) -> dict[str, Any]:
        """The plain dict that graders take: text fields resolved, absent fields dropped."""
        item = {
            "id": self.id,
            "prompt": self.prompt_text(),
            "completion": self.completion_text(),
            "task": self.task,
            "reference": self.reference,
            "lang": self.lang,
            "completion_tokens": self.completion_tokens,
            "group": self.group,
            "params": self._params or None,
        }
        return {key: value for key, value in item.items() if value is not None}


class RewardsRequest(BaseModel):
    items: list[RewardItem] = Field(min_length=1, max_length=MAX_ITEMS)
    recipe: str = Field("r1", description="a named preset of weights: r1, r1-zero or code")
    weights: dict[str, float] | None = Field(
        None, description="replaces the recipe's weights entirely"
    )
    timeout_s: float = Field(60.0, gt=0, le=3600, description="budget for the whole request")
    params: dict[str, Any] | None = Field(
        None,
        description='component parameters, e.g. {"cosine": {"max_len": 2048}}; '
        "see docs/api.md for every name, range and default",
    )

    @field_validator("params")
    @classmethod
    def _known_params(cls, value: dict[str, Any] | None) -> dict[str, dict[str, Any]] | None:
        return None if value is None else checked_params(value)

    @field_validator("weights")
    @classmethod
    def _known_components(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return value
        if not value:
            raise ValueError("weights must name at least one component")
        unknown = sorted(set(value) - set(COMPONENTS))
        if unknown:
            raise ValueError(
                f"unknown component(s) {unknown}; known: {', '.join(sorted(COMPONENTS))}"
            )
        return value

    @model_validator(mode="after")
    def _known_recipe(self) -> RewardsRequest:
        from rewardd.recipes import RECIPES

        if self.weights is None and self.recipe not in RECIPES:
            raise ValueError(f"unknown recipe {self.recipe!r}; known: {', '.join(RECIPES)}")
        return self

    @model_validator(mode="after")
    def _params_to_items(self) -> RewardsRequest:
        from rewardd.recipes import RECIPES

        if self.params:
            graded = self.weights if self.weights is not None else RECIPES[self.recipe]
            for item in self.items:
                item._params = for_components(self.params, graded)
        return self


class ItemErrorModel(BaseModel):
    code: Literal["timeout", "bad_reference", "sandbox_error", "internal"]
    message: str


class ItemResult(BaseModel):
    id: str | int | None = None
    reward: float | None
    components: dict[str, float | None]
    details: dict[str, dict[str, Any]]
    error: ItemErrorModel | None = None


class RecipeModel(BaseModel):
    name: str
    weights: dict[str, float]


class RewardsResponse(BaseModel):
    results: list[ItemResult]
    recipe: RecipeModel
    elapsed_ms: float


class JobAccepted(BaseModel):
    job_id: str
    status: Literal["queued"] = "queued"


class JobStatus(BaseModel):
    job_id: str
    status: Literal["queued", "running", "done", "failed"]
    results: list[ItemResult] | None = None
    recipe: RecipeModel | None = None
    error: dict[str, Any] | None = None


class OpenRLHFRequest(BaseModel):
    query: list[Text] = Field(min_length=1, max_length=MAX_ITEMS)
    prompts: list[Text] | None = None
    labels: list[JsonValue] | None = None

    @model_validator(mode="after")
    def _same_lengths(self) -> OpenRLHFRequest:
        for name in ("prompts", "labels"):
            value = getattr(self, name)
            if value is not None and len(value) != len(self.query):
                raise ValueError(f"{name} has {len(value)} entries but query has {len(self.query)}")
        return self


class OpenRLHFResponse(BaseModel):
    rewards: list[float | None]
    scores: list[float | None]
    extra_logs: dict[str, list[float | None]]


class ExecuteRequest(BaseModel):
    language: Literal["python"] = "python"
    code: Text = Field(max_length=1024 * 1024)
    stdin: Text = Field("", max_length=8 * 1024 * 1024)
    timeout_s: float = Field(5.0, gt=0, le=60)
    memory_mb: int = Field(256, ge=16, le=4096)
    files: dict[str, str] = Field(default_factory=dict, max_length=100)
    # "default": the standard library only; "sci": numpy, scipy, pandas, ...
    # (docs/rewards-code.md, "Images").
    image: Literal["default", "sci"] = "default"

    _unicode_files = field_validator("files")(_valid_unicode)

    @field_validator("files")
    @classmethod
    def _relative_paths(cls, value: dict[str, str]) -> dict[str, str]:
        for path in value:
            parts = path.split("/")
            if not path or path.startswith("/") or ".." in parts or "" in parts:
                raise ValueError(f"file path {path!r} must be relative, inside the work dir")
        return value


class ExecuteResponse(BaseModel):
    status: Literal["ok", "error", "timeout", "memory_limit", "output_limit", "sandbox_error"]
    exit_code: int | None
    stdout: str
    stderr: str
    duration_ms: float
    truncated: bool
