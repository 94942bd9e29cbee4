"""The graph model, read from model.yaml and checked once at import.

Labels and relationship types are the only identifiers that cannot be query
parameters, so every piece of code that needs one asks this module for it."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from casegraph.errors import ModelError

PROPERTY_TYPES = {"string", "int", "float", "time", "bool"}


@dataclass(frozen=True)
class NodeType:
    label: str
    key: str
    properties: dict[str, str]


@dataclass(frozen=True)
class RelType:
    type: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    key: str | None
    properties: dict[str, str]
    money: str | None = None        # what one movement is called, for money movements


@dataclass(frozen=True)
class Index:
    """One index the model asks for: on a node label or a relationship type, one property;
    `unique` for node keys (a uniqueness constraint where the engine has them)."""
    entity: str          # "node" | "relationship"
    name: str            # the label or the type
    property: str
    unique: bool = False

    def __str__(self) -> str:
        return f"{self.name}.{self.property}"


@dataclass(frozen=True)
class Model:
    nodes: dict[str, NodeType]
    relationships: dict[str, RelType]
    provenance: tuple[str, ...]
    identifiers: dict[str, str]
    extra_indexes: tuple[tuple[str, str], ...] = ()
    reference: tuple[str, ...] = ()     # labels of reference data (rates), not entities to investigate

    @property
    def schema(self) -> tuple[Index, ...]:
        """Every index the model asks for: node keys (unique), relationship keys, `indexes:`."""
        out = [Index("node", n.label, n.key, unique=True) for n in self.nodes.values()]
        out += [Index("relationship", r.type, r.key) for r in self.relationships.values() if r.key]
        out += [Index("node" if name in self.nodes else "relationship", name, prop) for name, prop in self.extra_indexes]
        return tuple(out)

    def node(self, label: str) -> NodeType:
        try:
            return self.nodes[label]
        except KeyError:
            raise ModelError(f"unknown label {label!r}; the model has {sorted(self.nodes)}") from None

    def rel(self, rel_type: str) -> RelType:
        try:
            return self.relationships[rel_type]
        except KeyError:
            raise ModelError(f"unknown relationship type {rel_type!r}; the model has "
                             f"{sorted(self.relationships)}") from None

    @property
    def money(self) -> dict[str, str]:
        """The money-movement relationship types, in model order, each with what one is called."""
        return {t: r.money for t, r in self.relationships.items() if r.money}

    def label_of_key(self, key: str) -> str | None:
        """The label whose key property is `key`, if any."""
        for n in self.nodes.values():
            if n.key == key:
                return n.label
        return None


def parse_model(doc: dict) -> Model:
    """Build and validate a Model from the parsed YAML document."""
    try:
        nodes = {label: NodeType(label, spec["key"], dict(spec.get("properties") or {}))
                 for label, spec in doc["nodes"].items()}
        rels = {t: RelType(t, tuple(spec["from"]), tuple(spec["to"]), spec.get("key"),
                           dict(spec.get("properties") or {}), spec.get("money"))
                for t, spec in doc["relationships"].items()}
        provenance = tuple(doc["provenance"])
        identifiers = dict(doc.get("identifiers") or {})
        extra = tuple((name, prop) for name, props in (doc.get("indexes") or {}).items() for prop in props)
        reference = tuple(doc.get("reference") or ())
    except (KeyError, TypeError, AttributeError) as e:
        raise ModelError(f"model.yaml is malformed: {e}") from e
    for n in nodes.values():
        if n.key not in n.properties:
            raise ModelError(f"node {n.label}: key {n.key!r} is not among its properties")
        _check_types(n.label, n.properties)
    for r in rels.values():
        for label in r.sources + r.targets:
            if label not in nodes:
                raise ModelError(f"relationship {r.type} names unknown label {label}")
        if r.key and r.key not in r.properties:
            raise ModelError(f"relationship {r.type}: key {r.key!r} is not among its properties")
        if r.money and not {"amount", "amount_usd", "asset", "at"} <= set(r.properties):
            raise ModelError(f"relationship {r.type}: a money movement needs amount, amount_usd, asset and at")
        _check_types(r.type, r.properties)
    for label, rel_type in identifiers.items():
        if label not in nodes or rel_type not in rels:
            raise ModelError(f"identifier {label}->{rel_type} is not in the model")
    for name, prop in extra:
        owner = nodes.get(name) or rels.get(name)
        if owner is None or prop not in owner.properties:
            raise ModelError(f"index {name}.{prop}: no such label or type with that property in the model")
    for label in reference:
        if label not in nodes:
            raise ModelError(f"reference label {label} is not in the model")
    return Model(nodes, rels, provenance, identifiers, extra, reference)


def _check_types(owner: str, props: dict[str, str]) -> None:
    for name, typ in props.items():
        if typ not in PROPERTY_TYPES:
            raise ModelError(f"{owner}.{name}: unknown type {typ!r}")


@lru_cache(maxsize=1)
def model() -> Model:
    """The model shipped with casegraph."""
    text = resources.files("casegraph").joinpath("model.yaml").read_text(encoding="utf-8")
    return parse_model(yaml.safe_load(text))
