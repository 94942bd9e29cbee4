"""The synthetic data generator: file contract, determinism, and that truth.json is
exactly what the files contain under the pattern definitions."""
from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from casegraph.errors import GenerateError
from casegraph.generate import generate
from casegraph.generate.plan import _bursts
from tests.support import REPO

N, SEED = 3000, 7
HOUR, DAY = 3600, 86400
KINDS = ("accounts", "wallets", "account_devices", "account_ips", "account_phones", "account_emails",
         "account_documents", "transfers", "deposits", "withdrawals", "onchain", "scam_reports", "watchlists",
         "groups")
IDENTIFIER_TABLES = ("devices", "ips", "phones", "emails", "documents")
IDENT = {"device": ("account_devices", "device_id"), "ip": ("account_ips", "ip"),
         "phone": ("account_phones", "phone"), "doc": ("account_documents", "doc_id")}


def _epoch(col: pd.Series) -> pd.Series:
    """ISO times -> epoch seconds (independent of pandas' datetime resolution)."""
    return (pd.to_datetime(col, utc=True) - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)


class Data:
    def __init__(self, folder: Path, summary: dict, progress: list[int]):
        self.dir, self.summary, self.progress = folder, summary, progress
        self.truth = json.loads((folder / "truth.json").read_text())
        self.f = {k: pd.read_csv(folder / f"{k}.csv", dtype=str, keep_default_na=False) for k in KINDS}
        for kind, cols in (("transfers", ["amount", "amount_usd"]), ("withdrawals", ["amount", "amount_usd"]),
                           ("deposits", ["amount", "amount_usd"]), ("onchain", ["amount", "amount_usd"])):
            for c in cols:
                self.f[kind][c + "_f"] = self.f[kind][c].astype(float)
        for kind, cols in (("accounts", ["registered_at"]), ("transfers", ["at"]), ("withdrawals", ["at"]),
                           ("deposits", ["at"]), ("onchain", ["at"]), ("account_devices", ["first_seen", "last_seen"]),
                           ("account_ips", ["first_seen", "last_seen"]), ("scam_reports", ["reported_at"])):
            for c in cols:
                self.f[kind][c + "_s"] = _epoch(self.f[kind][c])
        self.reg = dict(zip(self.f["accounts"].account_id, self.f["accounts"].registered_at_s))

    def links(self, kind: str) -> dict[str, set[str]]:
        """account -> identifiers of one kind (device, ip, phone, doc, or wd = withdrawal address)."""
        if kind == "wd":
            df, col = self.f["withdrawals"], "address"
        else:
            name, col = IDENT[kind]
            df = self.f[name]
        out = defaultdict(set)
        for a, v in zip(df.account_id, df[col]):
            out[a].add(v)
        return out


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Data:
    folder = tmp_path_factory.mktemp("gen")
    calls: list[int] = []
    summary = generate(folder, N, SEED, progress=calls.append)
    return Data(folder, summary, calls)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --- contract -----------------------------------------------------------------------------
@pytest.mark.parametrize("accounts", [0, 999, 5_000_001])
def test_rejects_out_of_range_account_counts(tmp_path, accounts):
    with pytest.raises(GenerateError, match="accounts must be between"):
        generate(tmp_path, accounts, 1)
    assert not any(tmp_path.iterdir())


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    generate(tmp_path / "a", 1000, 5)
    generate(tmp_path / "b", 1000, 5)
    generate(tmp_path / "c", 1000, 6)
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert a == b
    assert len(a) == len(KINDS) + 1
    differing = [name for name in a if a[name] != c[name]]
    assert set(differing) >= {"accounts.csv", "transfers.csv", "account_devices.csv", "truth.json"}


def test_headers_are_the_canonical_columns(data):
    canonical = yaml.safe_load((REPO / "loaders" / "canonical.yaml").read_text())["kinds"]
    # every kind but the identifier tables (the sample has nothing to put in them, docs/sample-data.md)
    # rates (the generator gives every amount_usd) and vendor_labels (not generated yet)
    assert set(canonical) - set(KINDS) == set(IDENTIFIER_TABLES) | {"rates", "vendor_labels"} \
        and set(KINDS) <= set(canonical)
    for kind, spec in ((k, v) for k, v in canonical.items() if k in KINDS):
        header = (data.dir / f"{kind}.csv").read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.split(",") == list(spec["columns"]), kind


def test_summary_and_progress(data):
    assert data.summary == {f"{k}.csv": len(data.f[k]) for k in KINDS}
    assert sum(data.progress) == N and len(data.progress) >= 1
    assert len(data.f["accounts"]) == N


def test_value_formats(data):
    f = data.f
    time_re = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    for kind, cols in (("accounts", ["registered_at"]), ("transfers", ["at"]), ("deposits", ["at"]),
                       ("withdrawals", ["at"]), ("onchain", ["at"]), ("account_devices", ["first_seen", "last_seen"]),
                       ("account_ips", ["first_seen", "last_seen"]), ("scam_reports", ["reported_at"]),
                       ("watchlists", ["listed_at"]), ("groups", ["flagged_at"])):
        for c in cols:
            assert f[kind][c].str.match(time_re).all(), (kind, c)
    lo, hi = (int(pd.Timestamp(d, tz="UTC").timestamp()) for d in ("2024-01-01", "2025-07-01"))
    assert f["accounts"].registered_at_s.between(lo, hi - 1).all()
    for kind in ("transfers", "deposits", "withdrawals", "onchain"):
        assert f[kind].at_s.between(lo, hi - 1).all()
        for c in ("amount", "amount_usd"):
            assert f[kind][c].str.match(r"^\d+(\.\d+)?$").all(), (kind, c)
            assert (f[kind][c + "_f"] > 0).all()
    assert f["accounts"].account_id.str.match(r"^A\d{9}$").all()
    assert f["account_devices"].device_id.str.match(r"^[0-9a-f]{32}$").all()
    octets = f["account_ips"].ip.str.split(".")
    assert octets.map(lambda o: len(o) == 4 and all(x.isdigit() and 0 <= int(x) <= 255 for x in o)).all()
    assert f["account_phones"].phone.str.match(r"^\+[1-9]\d{9,13}$").all()
    assert f["account_emails"].email.str.match(r"^[a-z._+0-9-]+@[a-z0-9.-]+\.[a-z]+$").all()
    assert set(f["account_documents"].doc_type) <= {"passport", "national_id", "driving_licence"}
    w = f["wallets"]
    assert set(w.chain) == {"ETH", "TRON", "BTC"}
    assert w[w.chain == "ETH"].address.str.match(r"^0x[0-9a-f]{40}$").all()
    assert w[w.chain == "BTC"].address.str.match(r"^bc1q[02-9ac-hj-np-z]{38}$").all()
    assert w[w.chain == "TRON"].address.str.match(r"^T[1-9A-HJ-NP-Za-km-z]{33}$").all()
    for kind in ("transfers", "deposits", "withdrawals"):
        assert f[kind].tx_id.str.match(r"^T\d{12}$").all()
    for kind in ("deposits", "withdrawals", "onchain"):
        assert f[kind].tx_hash.str.match(r"^0x[0-9a-f]{64}$").all()
    assert set(f["accounts"].kyc_level) <= {"0", "1", "2", "3"}
    assert set(f["scam_reports"].status) <= {"open", "investigating", "closed"}
    assert set(f["watchlists"].watchlist) <= {"internal", "law-enforcement", "vendor-intel"}
    assert (f["watchlists"].list_source != "").all() and (f["watchlists"].reason != "").all()


def test_keys_are_unique(data):
    f = data.f
    assert f["accounts"].account_id.is_unique and f["wallets"].address.is_unique
    assert f["accounts"].referral_code.is_unique
    for kind, cols in (("account_devices", ["account_id", "device_id"]), ("account_ips", ["account_id", "ip"]),
                       ("account_phones", ["account_id", "phone"]), ("account_emails", ["account_id", "email"]),
                       ("account_documents", ["account_id", "doc_id"]), ("groups", ["group_id", "account_id"])):
        assert not f[kind].duplicated(cols).any(), kind
    tx = pd.concat([f[k].tx_id for k in ("transfers", "deposits", "withdrawals")])
    assert tx.is_unique
    assert pd.concat([f[k].tx_hash for k in ("deposits", "withdrawals", "onchain")]).is_unique
    assert f["account_emails"].email.is_unique      # emails are never shared
    assert f["scam_reports"].report_id.is_unique


def test_references_resolve(data):
    f = data.f
    accounts, wallets = set(f["accounts"].account_id), set(f["wallets"].address)
    refs = set(f["accounts"].referred_by) - {""}
    assert refs <= accounts
    for kind, cols in (("account_devices", ["account_id"]), ("account_ips", ["account_id"]),
                       ("account_phones", ["account_id"]), ("account_emails", ["account_id"]),
                       ("account_documents", ["account_id"]), ("transfers", ["from_account", "to_account"]),
                       ("deposits", ["account_id"]), ("withdrawals", ["account_id"]),
                       ("scam_reports", ["reporter_id"]), ("groups", ["account_id"])):
        for c in cols:
            assert set(f[kind][c]) <= accounts, (kind, c)
    assert set(f["scam_reports"].against_account) - {""} <= accounts
    assert set(f["watchlists"].account_id) - {""} <= accounts
    for kind, cols in (("deposits", ["address"]), ("withdrawals", ["address"]),
                       ("onchain", ["from_address", "to_address"])):
        for c in cols:
            assert set(f[kind][c]) <= wallets, (kind, c)
    assert set(f["scam_reports"].against_address) - {""} <= wallets
    assert set(f["watchlists"].address) - {""} <= wallets
    assert ((f["scam_reports"].against_account != "") ^ (f["scam_reports"].against_address != "")).all()
    assert ((f["watchlists"].account_id != "") ^ (f["watchlists"].address != "")).all()
    # the chain of a money row is the chain of its wallet
    chain = dict(zip(f["wallets"].address, f["wallets"].chain))
    for kind in ("deposits", "withdrawals"):
        assert (f[kind].address.map(chain) == f[kind].chain).all()
    assert (f["onchain"].from_address.map(chain) == f["onchain"].chain).all()
    assert (f["onchain"].to_address.map(chain) == f["onchain"].chain).all()


def test_truth_ids_exist_and_lists_are_sorted(data):
    t, f = data.truth, data.f
    accounts, wallets = set(f["accounts"].account_id), set(f["wallets"].address)
    assert t["params"] == {"accounts": N, "seed": SEED}
    for name in ("scammers", "silent_sufferers", "reported_victims", "mules", "referral_abuse", "ato", "victims"):
        assert t[name] == sorted(t[name]) and len(set(t[name])) == len(t[name]), name
        assert set(t[name]) <= accounts, name
        assert t[name], f"nothing planted for {name}"
    for ring in t["rings"]:
        assert ring == sorted(ring) and set(ring) <= accounts
    assert set(t["scammer_wallets"]) <= wallets
    c = t["confounders"]
    assert set(c["carrier_ips"]) | set(c["office_ips"]) <= set(f["account_ips"].ip)
    assert set(c["family_devices"]) <= set(f["account_devices"].device_id)
    assert set(c["exchange_wallets"]) <= wallets
    hot = f["wallets"][f["wallets"].address.isin(c["exchange_wallets"])]
    assert hot.label.str.match(r"^exchange:.+ hot$").all()
    for name in ("influencers", "merchants", "payroll", "new_device", "new_wallet"):
        assert c[name] and set(c[name]) <= accounts, name
    assert set(c["false_positive_groups"]) <= set(f["groups"].group_id)


def test_relationship_volume(data):
    rels = sum(len(data.f[k]) for k in KINDS if k not in ("accounts", "wallets", "groups", "watchlists"))
    assert 4.5 <= rels / N <= 8.5


# --- scam operations, silent sufferers ----------------------------------------------------
def _silent(f) -> set[str]:
    wl = f["watchlists"]
    listed_acc, listed_w = set(wl.account_id) - {""}, set(wl.address) - {""}
    feeders = set(f["onchain"][f["onchain"].to_address.isin(listed_w)].from_address)
    paid = set(f["transfers"][f["transfers"].to_account.isin(listed_acc)].from_account)
    w = f["withdrawals"]
    paid |= set(w[w.address.isin(listed_w) | w.address.isin(feeders)].account_id)
    return paid - set(f["scam_reports"].reporter_id)


def test_silent_sufferers_match_the_definition(data):
    t = data.truth
    assert set(t["silent_sufferers"]) == _silent(data.f)
    assert not set(t["reported_victims"]) & set(t["silent_sufferers"])
    assert set(t["reported_victims"]) == set(data.f["scam_reports"].reporter_id)
    assert set(t["silent_sufferers"]) <= set(t["victims"])
    assert len(t["reported_victims"]) < len(t["victims"]) - len(t["reported_victims"])   # most say nothing


def test_reports_come_after_the_payment_to_the_accused(data):
    f = data.f
    for r in f["scam_reports"].itertuples():
        if r.against_account:
            tr = f["transfers"]
            paid = tr[(tr.from_account == r.reporter_id) & (tr.to_account == r.against_account)]
        else:
            w = f["withdrawals"][f["withdrawals"].account_id == r.reporter_id]
            direct = w[w.address == r.against_address]
            oc = f["onchain"]
            via = oc[oc.from_address.isin(w.address) & (oc.to_address == r.against_address)]
            paid = pd.concat([direct, via])
        assert len(paid) and paid.at_s.max() < r.reported_at_s, r.report_id


def test_only_victims_mules_and_scammers_touch_scam_entities(data):
    t, f = data.truth, data.f
    scam_acc, scam_w = set(t["scammers"]), set(t["scammer_wallets"])
    payers = set(t["victims"]) | set(t["mules"])
    assert set(f["transfers"][f["transfers"].to_account.isin(scam_acc)].from_account) <= payers
    assert not f["transfers"].from_account.isin(scam_acc).any()
    wd = f["withdrawals"][f["withdrawals"].address.isin(scam_w)]
    assert set(wd.account_id) <= payers | scam_acc
    victim_wallets = set(f["withdrawals"][f["withdrawals"].account_id.isin(t["victims"])].address)
    oc = f["onchain"][f["onchain"].to_address.isin(scam_w)]
    assert set(oc.from_address) <= scam_w | victim_wallets
    dep = f["deposits"][f["deposits"].address.isin(scam_w)]
    assert set(dep.account_id) <= scam_acc
    assert not set(t["scammers"]) & (set(t["victims"]) | set(t["mules"]))


def _graph(f) -> dict[str, set[str]]:
    """Undirected graph over accounts, identifiers and wallets."""
    adj = defaultdict(set)

    def add(xs, ys, px="", py=""):
        for x, y in zip(xs, ys):
            adj[px + x].add(py + y)
            adj[py + y].add(px + x)
    for kind, col in (("account_devices", "device_id"), ("account_ips", "ip"), ("account_phones", "phone"),
                      ("account_documents", "doc_id")):
        add(f[kind].account_id, f[kind][col], "", col + ":")
    add(f["transfers"].from_account, f["transfers"].to_account)
    add(f["withdrawals"].account_id, f["withdrawals"].address)
    add(f["deposits"].address, f["deposits"].account_id)
    add(f["onchain"].from_address, f["onchain"].to_address)
    return adj


def _within(adj, start: set[str], hops: int) -> set[str]:
    seen, frontier = set(start), set(start)
    for _ in range(hops):
        frontier = {y for x in frontier for y in adj[x]} - seen
        seen |= frontier
    return seen


def test_scam_entities_are_near_the_watchlist(data):
    t, f = data.truth, data.f
    listed = (set(f["watchlists"].account_id) | set(f["watchlists"].address)) - {""}
    assert listed <= set(t["scammers"]) | set(t["scammer_wallets"])
    assert listed < set(t["scammers"]) | set(t["scammer_wallets"])          # not everyone is listed
    assert not set(t["scammers"]) <= listed
    adj = _graph(f)
    near = _within(adj, listed, 2)
    assert set(t["scammers"]) | set(t["scammer_wallets"]) <= near
    assert set(t["mules"]) <= _within(adj, listed, 3)


def test_mules_forward_most_of_what_they_receive_within_a_day(data):
    t, f = data.truth, data.f
    tr, wd = f["transfers"], f["withdrawals"]
    for m in t["mules"]:
        inflow = tr[tr.to_account == m]
        assert 5 <= inflow.from_account.nunique() <= 20
        assert inflow.at_s.max() - inflow.at_s.min() <= 6 * DAY
        out = pd.concat([tr[tr.from_account == m][["at_s", "amount_f"]], wd[wd.account_id == m][["at_s", "amount_f"]]])
        assert set(tr[tr.from_account == m].to_account) <= set(t["scammers"])
        assert set(wd[wd.account_id == m].address) <= set(t["scammer_wallets"])
        ins = inflow.at_s.sort_values().to_numpy()
        quick = 0.0
        for at, amt in zip(out.at_s, out.amount_f):
            prior = ins[ins <= at]
            if len(prior) and at - prior.max() <= 24 * HOUR:
                quick += amt
        assert quick >= 0.8 * inflow.amount_f.sum(), m
        assert out.amount_f.sum() <= 0.96 * inflow.amount_f.sum()


def test_merchants_keep_funds_for_weeks(data):
    t, f = data.truth, data.f
    tr, wd = f["transfers"], f["withdrawals"]
    for m in t["confounders"]["merchants"]:
        inflow = tr[tr.to_account == m]
        assert inflow.from_account.nunique() >= 20
        assert not (tr.from_account == m).any()
        for at in wd[wd.account_id == m].at_s:       # a sweep only moves money received 2+ weeks earlier
            assert inflow[inflow.at_s <= at].amount_f.sum() > 0
    for p in t["confounders"]["payroll"]:
        assert tr[tr.from_account == p].to_account.nunique() >= 10


# --- rings and their confounders --------------------------------------------------------
def test_rings_share_evidence_of_common_control(data):
    t = data.truth
    assert len(t["rings"]) >= 3
    members = [a for r in t["rings"] for a in r]
    assert len(members) == len(set(members))
    kinds = {k: data.links(k) for k in ("device", "ip", "phone", "doc", "wd")}
    owners = {k: defaultdict(set) for k in kinds}
    for k, links in kinds.items():
        for a, vals in links.items():
            for v in vals:
                owners[k][v].add(a)
    c = t["confounders"]
    carrier = set(c["carrier_ips"])
    buyers = set(c["device_buyers"])
    for ring in t["rings"]:
        assert 4 <= len(ring) <= 60
        regs = [data.reg[a] for a in ring]
        assert max(regs) - min(regs) <= 21 * DAY + 60
        inside = set(ring)
        for a in ring:      # every member shares more than an IP with another member
            shared = {k for k in kinds if k != "ip" and any((owners[k][v] & inside) - {a} for v in kinds[k][a])}
            assert shared, (a, shared)
        ips = set().union(*(kinds["ip"][a] for a in ring))
        # datacenter IPs nobody else uses, or a carrier's (shared with hundreds)
        assert all(owners["ip"][ip] <= inside or ip in carrier for ip in ips)
        # a ring's devices: its own, sold on to a buyer, or reused or handed over between rings
        devs = set().union(*(kinds["device"][a] for a in ring))
        assert all(owners["device"][d] <= set(members) | buyers for d in devs)
    assert not set(members) & set(c["influencers"] + c["merchants"] + c["payroll"] + c["company_staff"])
    assert not set(members) & set(t["referral_abuse"] + t["scammers"] + t["mules"] + t["ato"])
    used_ips = set().union(*(kinds["ip"][a] for a in members))
    used_devs = set().union(*(kinds["device"][a] for a in members))
    assert not used_ips & set(c["office_ips"])
    assert not used_devs & set(c["family_devices"] + c["cafe_devices"])
    assert not set().union(*(kinds["wd"][a] for a in members)) & set(c["exchange_wallets"])
    assert set(t["rings_handed_over"]) <= set(members)


def test_ring_bursts_are_minutes_to_weeks_long():
    sizes = [4, 5, 8, 13, 30, 60] * 50
    spans = []
    for s, times in zip(sizes, _bursts(np.random.default_rng(1), sizes)):
        gaps = np.diff(times)
        assert len(times) == s and (gaps >= 0).all()
        spans.append(times[-1] - times[0])
    spans = np.array(spans)
    assert spans.max() <= 21 * DAY
    assert 0.5 < (spans <= 6 * HOUR).mean() < 0.7          # most in one sitting
    assert (spans > 3 * DAY).mean() > 0.1                    # some slowly, over days to weeks
    assert min(spans) < HOUR


def test_devices_of_rings_are_sold_on_and_handed_over_after_use(data):
    """A buyer starts on a ring's device only after the ring's last use of it; an account handed
    over to a later ring uses that ring's device after its own ring's work is done."""
    t, dev = data.truth, data.f["account_devices"]
    ring_of = {a: i for i, r in enumerate(t["rings"]) for a in r}
    buyers = set(t["confounders"]["device_buyers"])
    for d, grp in dev[dev.account_id.isin(buyers)].groupby("device_id"):
        users = dev[dev.device_id == d]
        ring_use = users[users.account_id.isin(ring_of)]
        if len(ring_use):
            bought = grp[grp.account_id.isin(buyers)]
            assert bought.first_seen_s.min() > ring_use.last_seen_s.max()
    for a in t["rings_handed_over"]:
        mine = dev[dev.account_id == a]
        others = [set(dev[dev.device_id == d].account_id) - {a} for d in mine.device_id]
        assert any({ring_of.get(o) for o in group} - {ring_of[a], None} for group in others), a


def test_families_companies_and_cafes_look_like_rings(data):
    t, f = data.truth, data.f
    c = t["confounders"]
    dev, dep = f["account_devices"], f["deposits"]
    together = set(c["families_together"])
    assert together, "some families sign up on one evening"
    fam_dev = dev[dev.device_id.isin(c["family_devices"]) & dev.account_id.isin(together)]
    for _, grp in fam_dev.groupby("device_id"):
        regs = sorted(data.reg[a] for a in grp.account_id)
        assert 2 <= len(regs) <= 5 and regs[-1] - regs[0] <= 3 * HOUR
    staff = set(c["company_staff"])
    assert len(staff) >= 8 and c["treasury_wallets"]
    paid = dep[dep.address.isin(c["treasury_wallets"])]
    assert set(paid.account_id) == staff
    for _, grp in paid.groupby("address"):           # each company's staff registered on one day
        regs = sorted(data.reg[a] for a in set(grp.account_id))
        assert len(regs) >= 8 and regs[-1] - regs[0] <= 8 * HOUR
    for d in c["cafe_devices"]:
        use = dev[dev.device_id == d].sort_values("first_seen_s")
        assert len(use) >= 8
        assert (use.first_seen_s.values[1:] > use.last_seen_s.values[:-1]).all()    # one after another


def test_model_groups(data):
    t, g = data.truth, data.f["groups"]
    ring_of = {a: i for i, r in enumerate(t["rings"]) for a in r}
    fp = set(t["confounders"]["false_positive_groups"])
    assert fp and set(g.model) == {"batchreg-v3"}
    assert g.score.astype(float).between(0.6, 0.99).all()
    flagged = set()
    for gid, grp in g.groupby("group_id"):
        rings = {ring_of.get(a) for a in grp.account_id}
        if gid in fp:
            assert rings == {None}
            continue
        assert len(rings) == 1 and None not in rings
        ring = t["rings"][rings.pop()]
        assert len(grp) >= 0.8 * len(ring)
        flagged.add(tuple(ring))
        lag = int(pd.Timestamp(grp.flagged_at.iloc[0]).timestamp()) - max(data.reg[a] for a in ring)
        assert DAY <= lag <= 2 * DAY
    assert 1 <= len(flagged) <= len(t["rings"])


def test_family_devices_and_shared_ips_are_not_rings(data):
    t, f = data.truth, data.f
    dev = f["account_devices"]
    phones, docs = data.links("phone"), data.links("doc")
    for d in t["confounders"]["family_devices"]:
        fam = sorted(set(dev[dev.device_id == d].account_id), key=data.reg.get)
        assert 2 <= len(fam) <= 5
        regs = [data.reg[a] for a in fam]
        # weeks apart, or together on one evening
        assert min(b - a for a, b in zip(regs, regs[1:])) >= 14 * DAY or regs[-1] - regs[0] <= 3 * HOUR
        for a in fam:                                  # at most device + home IP in common
            for b in fam:
                if a != b:
                    assert not phones[a] & phones[b] and not docs[a] & docs[b]
    users = f["account_ips"].groupby("ip").account_id.nunique()
    carrier = users[users.index.isin(t["confounders"]["carrier_ips"])]
    assert carrier.min() >= 40 and carrier.max() >= min(150, N // 20)
    office = users[users.index.isin(t["confounders"]["office_ips"])]
    assert office.between(10, 50).all()
    # besides rings, referral abuse, scam operations and families, no identifier has 2-9 users
    # sharing it within a 6-hour registration burst
    planted = {a for r in t["rings"] for a in r} | set(t["referral_abuse"]) | set(t["scammers"]) \
        | set(t["confounders"]["families_together"]) | set(t["confounders"]["device_buyers"])
    for name, col in (("account_devices", "device_id"), ("account_phones", "phone"), ("account_documents", "doc_id")):
        df = f[name][~f[name].account_id.isin(planted)]
        for v, grp in df.groupby(col):
            if len(grp) >= 2:
                regs = sorted(data.reg[a] for a in grp.account_id)
                assert regs[-1] - regs[0] > 6 * HOUR, (name, v)


# --- referrals --------------------------------------------------------------------------
def test_referral_abuse_trees_and_their_confounders(data):
    t, f = data.truth, data.f
    acc = f["accounts"]
    ref = acc[acc.referred_by != ""]
    kinds = {k: data.links(k) for k in ("device", "ip", "phone")}
    share = lambda a, b: any(kinds[k][a] & kinds[k][b] for k in kinds)  # noqa: E731
    abuse, influencers = set(t["referral_abuse"]), set(t["confounders"]["influencers"])
    trees = ref[ref.referred_by.isin(abuse)].groupby("referred_by").account_id.apply(list)
    assert len(trees) >= 3 and set(trees.index) | {a for refs in trees for a in refs} == abuse
    for referrer, refs in trees.items():
        assert 4 <= len(refs) <= 15
        regs = sorted(data.reg[a] for a in refs)
        assert min(b - a for a, b in zip(regs, regs[1:])) >= 3 * HOUR     # not a burst
        for e in refs:
            assert any(share(e, o) for o in [referrer] + refs if o != e)
    for inf in influencers:
        refs = list(ref[ref.referred_by == inf].account_id)
        assert len(refs) >= 30
        assert not any(share(inf, e) for e in refs)
        assert not any(share(a, b) for i, a in enumerate(refs) for b in refs[i + 1:])
    ordinary = ref[~ref.referred_by.isin(abuse | influencers)]
    assert len(ordinary) > 0.03 * N
    assert ordinary.referred_by.value_counts().max() <= 2
    for e, r in zip(ordinary.account_id, ordinary.referred_by):
        assert not share(e, r), (e, r)
        assert data.reg[r] < data.reg[e]


# --- account takeover -------------------------------------------------------------------
def test_account_takeover_rule_matches_truth(data):
    """A device or IP first seen more than 7 days after registration, followed within 48 h
    by a withdrawal to a wallet the account never withdrew to before, is exactly truth.ato."""
    t, f = data.truth, data.f
    late = pd.concat([f[k][["account_id", "first_seen_s"]] for k in ("account_devices", "account_ips")])
    late = late[late.first_seen_s > late.account_id.map(data.reg) + 7 * DAY]
    wd = f["withdrawals"].sort_values(["account_id", "at_s"])
    fresh = ~wd.duplicated(["account_id", "address"])
    first_use = wd[fresh]
    flagged = set()
    for a, grp in late.groupby("account_id"):
        w = first_use[first_use.account_id == a].at_s.to_numpy()
        for T in grp.first_seen_s:
            if ((w >= T) & (w <= T + 48 * HOUR)).any():
                flagged.add(a)
    assert flagged == set(t["ato"])
    for a in t["ato"]:
        assert late[late.account_id == a].first_seen_s.min() - data.reg[a] >= 60 * DAY
    # the confounders: new device with no withdrawal in the next 7 days; new wallet, no new device
    assert set(t["confounders"]["new_device"]) <= set(late.account_id)
    assert not set(t["confounders"]["new_wallet"]) & set(late.account_id)
    for a in t["confounders"]["new_device"]:
        w = wd[wd.account_id == a].at_s.to_numpy()
        for T in late[late.account_id == a].first_seen_s:
            assert not ((w >= T) & (w <= T + 7 * DAY)).any(), a
    for a in t["confounders"]["new_wallet"]:
        assert (first_use.account_id == a).any()
        assert first_use[first_use.account_id == a].at_s.max() - data.reg[a] >= 60 * DAY
