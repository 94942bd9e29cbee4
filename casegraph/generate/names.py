"""Names of things: account ids, devices, IPs, phones, emails, documents, wallet
addresses, tx ids, times and amounts, all vectorised over numpy arrays.

Every identifier is a pure function of an integer key and the seed, so any part of
the generator can name an entity without a lookup table. Uniqueness comes from
keyed bijections (a swap-or-not shuffle of [0, 10^k)) where the space is small (phones,
documents, IPs, emails) and from 128+ hash bits where it is large (devices, wallets).
"""
from __future__ import annotations

import datetime as _dt
import functools

import numpy as np

DAYS = 547                      # 2024-01-01 .. 2025-06-30
END = DAYS * 86400              # times are int seconds since 2024-01-01T00:00:00Z, < END
DAY = 86400
HOUR = 3600
MAX_KEY = 10_000_000            # compact keys (phones, documents, emails) stay below this

_U = np.uint64


def mix(x) -> np.ndarray:
    """splitmix64 finaliser; numpy wraps uint64 arithmetic, which is what we want."""
    z = np.asarray(x, dtype=np.uint64) + _U(0x9E3779B97F4A7C15)
    z = (z ^ (z >> _U(30))) * _U(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U(27))) * _U(0x94D049BB133111EB)
    return z ^ (z >> _U(31))


def _fixed(mat: np.ndarray, prefix: str = "") -> list[str]:
    """Rows of an (n, w) uint8 ASCII matrix as strings; far faster than per-row formatting."""
    n, w = mat.shape
    if n == 0:
        return []
    s = np.ascontiguousarray(mat).tobytes().decode("ascii")
    if prefix:
        return [prefix + s[i:i + w] for i in range(0, n * w, w)]
    return [s[i:i + w] for i in range(0, n * w, w)]


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative ints as an (n, width) ASCII matrix."""
    v = np.asarray(values, dtype=np.int64).copy()
    out = np.empty((len(v), width), np.uint8)
    for j in range(width - 1, -1, -1):
        out[:, j] = 48 + v % 10
        v //= 10
    return out


def _symbols(words: np.ndarray, alphabet: bytes, nchars: int) -> np.ndarray:
    """(n, nchars) ASCII matrix of symbols drawn from hash words (n, k) in base len(alphabet)."""
    base = len(alphabet)
    per = int(np.floor(64 / np.log2(base)))
    alpha = np.frombuffer(alphabet, np.uint8)
    cols = []
    for k in range(words.shape[1]):
        w = words[:, k].copy()
        for _ in range(per):
            cols.append(alpha[(w % _U(base)).astype(np.int64)])
            w //= _U(base)
    return np.stack(cols[:nchars], axis=1)


def _permute(keys, mod: int, salt: int, rounds: int = 12) -> np.ndarray:
    """A keyed pseudo-random bijection of [0, mod) ("swap-or-not" shuffle), so consecutive
    keys give unrelated numbers. keys must lie in [0, mod)."""
    x = np.asarray(keys, dtype=np.int64)
    if len(x) and (int(x.max()) >= mod or int(x.min()) < 0):
        raise ValueError("key outside the permutation's range")
    for r in range(rounds):
        k = int(mix(np.array([(salt + r) & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0] % np.uint64(mod))
        partner = (k - x) % mod
        bit = mix((np.maximum(x, partner).astype(np.uint64)) ^ _U((salt * 31 + r) & 0xFFFFFFFFFFFFFFFF)) & _U(1)
        x = np.where(bit.astype(bool), partner, x)
    return x


# --- times ----------------------------------------------------------------------------
_BASE = _dt.datetime(2024, 1, 1)
_DAYB = np.frombuffer(b"".join((_BASE + _dt.timedelta(days=d)).strftime("%Y-%m-%dT").encode()
                               for d in range(DAYS + 400)), np.uint8).reshape(-1, 11)


@functools.lru_cache(maxsize=1)
def _secb() -> np.ndarray:
    """'HH:MM:SSZ' for every second of a day, as an (86400, 9) ASCII matrix."""
    s = np.arange(DAY)
    m = np.empty((DAY, 9), np.uint8)
    m[:, 0:2] = _digits(s // 3600, 2)
    m[:, 3:5] = _digits(s // 60 % 60, 2)
    m[:, 6:8] = _digits(s % 60, 2)
    m[:, [2, 5]] = ord(":")
    m[:, 8] = ord("Z")
    return m


def times(t) -> list[str]:
    """Seconds since 2024-01-01 -> '2024-03-05T14:22:07Z'."""
    t = np.asarray(t, dtype=np.int64)
    m = np.empty((len(t), 20), np.uint8)
    m[:, :11] = _DAYB[t // DAY]
    m[:, 11:] = _secb()[t % DAY]
    return _fixed(m)


# --- money ----------------------------------------------------------------------------
ASSETS = ("USDT", "USDC", "ETH", "BTC", "TRX")
USDT, USDC, ETH, BTC, TRX = range(5)
_DECIMALS = (2, 2, 6, 8, 2)
CHAINS = ("ETH", "TRON", "BTC")
C_ETH, C_TRON, C_BTC = range(3)

# Rough daily closes (USD) at turning points of the period; linear in between.
_ANCHORS = np.array([  # day, BTC, ETH, TRX
    [0, 42500, 2300, 0.107], [73, 72000, 3950, 0.135], [121, 58000, 3000, 0.120],
    [217, 54000, 2400, 0.130], [316, 88000, 3300, 0.180], [351, 106000, 3900, 0.280],
    [385, 104000, 3300, 0.240], [463, 77000, 1500, 0.230], [507, 110000, 2600, 0.270],
    [DAYS + 399, 107000, 2450, 0.280]])


def _price_table() -> np.ndarray:
    d = np.arange(DAYS + 400)
    wiggle = 1 + 0.03 * np.sin(d / 3.1) + 0.02 * np.sin(d / 11.7)
    table = np.ones((5, len(d)))
    for asset, col in ((BTC, 1), (ETH, 2), (TRX, 3)):
        table[asset] = np.interp(d, _ANCHORS[:, 0], _ANCHORS[:, col]) * wiggle
    return table


PRICES = _price_table()


def amounts(usd, asset, t) -> tuple[list[str], list[str]]:
    """USD values -> (amount in the asset, amount_usd) as plain decimal strings."""
    usd = np.asarray(usd, dtype=float)
    asset = np.asarray(asset, dtype=np.int64)
    price = PRICES[asset, np.asarray(t, dtype=np.int64) // DAY]
    out = [""] * len(usd)
    out_usd = [""] * len(usd)
    for a, dec in enumerate(_DECIMALS):
        sel = np.flatnonzero(asset == a)
        if not len(sel):
            continue
        amt = np.maximum(np.round(usd[sel] / price[sel], dec), 10.0 ** -dec)
        fmt = f"{{:.{dec}f}}".format
        for i, x, y in zip(sel.tolist(), amt.tolist(), (amt * price[sel]).tolist()):
            out[i] = fmt(x)
            out_usd[i] = f"{y:.2f}"
    return out, out_usd


def chain_assets(chain: np.ndarray, u: np.ndarray) -> np.ndarray:
    """An asset that lives on each chain (USDT dominates on TRON, ETH/USDT/USDC on Ethereum)."""
    return np.select([chain == C_BTC, chain == C_TRON],
                     [BTC, np.where(u < 0.85, USDT, TRX)],
                     np.where(u < 0.35, ETH, np.where(u < 0.85, USDT, USDC)))


# --- the namer ------------------------------------------------------------------------
COUNTRIES = ("TR", "GB", "DE", "FR", "ES", "IT", "NL", "PL", "BR", "NG", "IN", "US", "UA", "VN", "AE")
COUNTRY_P = np.array([18, 9, 8, 6, 5, 5, 3, 4, 7, 6, 7, 6, 4, 6, 3], float) / 97
# E.164 prefix of a mobile number and how many free digits follow it (>= 7, so keys < 10^7 fit).
_PHONE = (("+905", 9), ("+447", 9), ("+4915", 9), ("+336", 8), ("+346", 8), ("+393", 9), ("+316", 8),
          ("+485", 8), ("+55119", 8), ("+23480", 8), ("+919", 9), ("+1646", 7), ("+38067", 7),
          ("+849", 8), ("+9715", 8))
_FIRST = ("james", "mehmet", "anna", "lukas", "emma", "ahmet", "olivia", "noah", "mia", "lucas", "sofia",
          "ayse", "fatma", "mustafa", "leon", "chloe", "hugo", "lea", "mateo", "lucia", "giulia", "marco",
          "daan", "julia", "jakub", "zofia", "pedro", "ana", "chinedu", "ngozi", "arjun", "priya", "ethan",
          "ava", "olena", "andriy", "minh", "linh", "omar", "fatima", "elif", "emre", "thomas", "laura",
          "david", "sarah", "ali", "zeynep", "max", "nina", "jonas", "clara", "paul", "ines", "diego",
          "maria", "sven", "eva", "tariq", "amira", "kemal", "selin", "rohan", "ananya", "tunde", "amaka",
          "hana", "yusuf", "oscar", "isla", "felix", "lina", "bruno", "carla", "piotr", "kasia", "dmytro",
          "iryna", "quang", "thao", "karim", "leila", "burak", "deniz", "george", "grace", "henry", "alice",
          "jack", "ella", "liam", "zoe", "adam", "maya", "sam", "ruby", "ivan", "vera", "hasan", "esra")
_LAST = ("smith", "yilmaz", "muller", "martin", "garcia", "rossi", "devries", "nowak", "silva", "okafor",
         "sharma", "johnson", "kovalenko", "nguyen", "hassan", "kaya", "demir", "schmidt", "bernard",
         "lopez", "russo", "jansen", "kowalski", "santos", "adeyemi", "patel", "williams", "shevchenko",
         "tran", "alrashid", "celik", "sahin", "fischer", "dubois", "martinez", "ferrari", "bakker",
         "wisniewski", "oliveira", "eze", "gupta", "brown", "bondarenko", "le", "mansour", "ozturk",
         "aydin", "weber", "moreau", "sanchez", "esposito", "visser", "wojcik", "souza", "obi", "singh",
         "jones", "tkachenko", "pham", "khalil", "arslan", "dogan", "wagner", "robert", "perez", "romano",
         "smit", "kaminski", "costa", "nwosu", "kumar", "miller", "kravchenko", "hoang", "saleh", "koc",
         "kurt", "becker", "richard", "gomez", "colombo", "meijer", "lewandowski", "pereira", "okeke",
         "reddy", "davis", "oliynyk", "phan", "haddad", "ozdemir", "polat", "hoffmann", "durand",
         "fernandez", "ricci", "mulder", "zielinski", "rodrigues", "chukwu")
_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "icloud.com",
            "proton.me", "gmx.de", "yandex.com", "mail.ru", "hotmail.co.uk", "yahoo.com.tr", "web.de",
            "orange.fr", "libero.it", "wp.pl", "uol.com.br")
_DISPOSABLE = ("tempmail.dev", "mailinator.com", "guerrillamail.com", "10minutemail.net", "sharklasers.com",
               "yopmail.com", "dropmail.me", "maildrop.cc")
DOC_TYPES = ("passport", "national_id", "driving_licence")
_UPPER = b"ABCDEFGHJKLMNPRSTUVWXYZ"
_HEX = b"0123456789abcdef"
_BECH32 = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BASE58 = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_CROCKFORD = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# IP pools: disjoint first octets so no two pools can ever produce the same address.
IP_POOLS = {
    "home": (31, 46, 78, 81, 82, 84, 85, 86, 88, 89, 90, 92, 94, 95, 176, 178, 188, 212),
    "mobile": (5, 37, 39, 77, 91, 93, 109, 151, 213, 217),
    "carrier": (100, 148, 197),
    "wifi": (193, 194),
    "office": (62, 80, 195),
    "dc": (3, 13, 18, 34, 35, 45, 52, 54, 104, 139, 159, 167),
    "proxy": (24, 67, 71, 73, 98),
}
_IP_SPACE = 254 * 65536          # host part per first octet: .1-.254 in the last octet


# Exchange hot wallets: (label, chain, share of hot-wallet traffic)
HOT_WALLETS = (("exchange:Binance hot", C_ETH, 22), ("exchange:Binance hot", C_TRON, 20),
               ("exchange:Binance hot", C_BTC, 6), ("exchange:Coinbase hot", C_ETH, 9),
               ("exchange:Coinbase hot", C_BTC, 4), ("exchange:Kraken hot", C_ETH, 5),
               ("exchange:OKX hot", C_TRON, 8), ("exchange:OKX hot", C_ETH, 5),
               ("exchange:Bybit hot", C_ETH, 6), ("exchange:Bybit hot", C_TRON, 5),
               ("exchange:KuCoin hot", C_ETH, 3), ("exchange:HTX hot", C_TRON, 7))
HOT_CHAIN = np.array([h[1] for h in HOT_WALLETS])
HOT_P = np.array([h[2] for h in HOT_WALLETS], float) / sum(h[2] for h in HOT_WALLETS)
# key namespaces
W_OWN, W_EXT, W_HOT, W_PLANT = 1, 2, 3, 4        # wallets; own wallet j of account i: 3i + j
D_OWN, D_FAM, D_PLANT = 1, 2, 3                  # devices; own device j of account i: 3i + j
PLANTED_KEY = 5_000_000                          # phones/documents made for planted structures start here


def key(space: int, k) -> np.ndarray:
    """A wallet/device key: a namespace in the top bits, so spaces never collide."""
    return (np.uint64(space) << np.uint64(48)) | np.asarray(k, dtype=np.uint64)


class Namer:
    """Formats ids for one seed; all methods take numpy arrays and return lists of str."""

    def __init__(self, seed: int):
        self.salt = int(mix(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0])

    def hash(self, keys, stream: int) -> np.ndarray:
        """64 pseudo-random bits per key, independent per stream."""
        s = (self.salt ^ (stream * 0x632BE59BD9B4E019)) & 0xFFFFFFFFFFFFFFFF
        return mix(np.asarray(keys, dtype=np.uint64) ^ np.uint64(s))

    def uniform(self, keys, stream: int) -> np.ndarray:
        return (self.hash(keys, stream) >> _U(11)).astype(np.float64) * (1.0 / (1 << 53))

    def _words(self, keys, stream: int, n: int) -> np.ndarray:
        k = mix(np.asarray(keys, dtype=np.uint64))
        return np.stack([self.hash(k + _U(j), stream) for j in range(n)], axis=1)

    # accounts
    @staticmethod
    def account_num(idx) -> np.ndarray:
        """Sequential-looking 9-digit numbers that keep registration order."""
        idx = np.asarray(idx, dtype=np.int64)
        return 100_000_000 + 2 * idx + (mix(idx.astype(np.uint64)) & _U(1)).astype(np.int64)

    def account_ids(self, idx) -> list[str]:
        return _fixed(_digits(self.account_num(idx), 9), "A")

    def referral_codes(self, idx) -> list[str]:
        v = _permute(idx, 1 << 40, self.salt ^ 0x2F4A7C15)
        return _fixed(_symbols(v.astype(np.uint64)[:, None], _CROCKFORD, 8))

    def countries(self, idx) -> np.ndarray:
        """Country code index per account (a pure function of the account)."""
        return np.searchsorted(np.cumsum(COUNTRY_P), self.uniform(idx, 1), side="right").clip(0, len(COUNTRIES) - 1)

    # identifiers
    def device_ids(self, keys) -> list[str]:
        return _fixed(_symbols(self._words(keys, 11, 2), _HEX, 32))

    def ips(self, pool: str, keys) -> list[str]:
        blocks = np.array(IP_POOLS[pool])
        k = np.asarray(keys, dtype=np.int64)
        z = _permute(k, len(blocks) * _IP_SPACE, self.salt ^ (int(blocks.sum()) * 7919))
        first, y = blocks[z % len(blocks)], z // len(blocks)
        o2, rest = y // (256 * 254), y % (256 * 254)
        o3, o4 = rest // 254, 1 + rest % 254
        return [f"{a}.{b}.{c}.{d}" for a, b, c, d in zip(first.tolist(), o2.tolist(), o3.tolist(), o4.tolist())]

    def phones(self, keys, country) -> list[str]:
        keys = np.asarray(keys, dtype=np.int64)
        country = np.asarray(country, dtype=np.int64)
        out = [""] * len(keys)
        for c, (prefix, width) in enumerate(_PHONE):
            sel = np.flatnonzero(country == c)
            if len(sel):
                sub = _permute(keys[sel], 10 ** width, self.salt ^ (c * 104729 + 1))
                for i, s in zip(sel.tolist(), _fixed(_digits(sub, width), prefix)):
                    out[i] = s
        return out

    def emails(self, keys, disposable=None, plus=None) -> list[str]:
        """first.last{n}@domain; unique per key because (first, last, n) is a bijection of the key
        and the first/last name lists are disjoint. plus > 0 adds Gmail-style '+n' tags."""
        keys = np.asarray(keys, dtype=np.int64)
        nf, nl = len(_FIRST), len(_LAST)
        x = _permute(keys, MAX_KEY, self.salt ^ 3_141_593)
        f, l_, num = x % nf, (x // nf) % nl, x // (nf * nl)
        style = (self.hash(keys, 21) % _U(3)).astype(np.int64)
        dom = (self.hash(keys, 22) % _U(len(_DOMAINS))).astype(np.int64)
        disp = np.zeros(len(keys), bool) if disposable is None else np.asarray(disposable, bool)
        tag = np.zeros(len(keys), np.int64) if plus is None else np.asarray(plus, np.int64)
        out = []
        for fi, li, n, st, d, ds, t in zip(f.tolist(), l_.tolist(), num.tolist(), style.tolist(), dom.tolist(),
                                           disp.tolist(), tag.tolist()):
            a, b = _FIRST[fi], _LAST[li]
            local = f"{a}.{b}" if st == 0 else f"{a}_{b}" if st == 1 else f"{b}.{a}"
            if n:
                local += str(n)
            if t:
                local += f"+{t}"
            out.append(f"{local}@{_DISPOSABLE[d % len(_DISPOSABLE)] if ds else _DOMAINS[d]}")
        return out

    def documents(self, keys, doc_type) -> list[str]:
        """passport: 2 letters + 7 digits; national id: 11 digits; licence: DL + 9 digits.
        The 7 digits are a bijection of the key, the rest is decoration."""
        keys = np.asarray(keys, dtype=np.int64)
        doc_type = np.asarray(doc_type, dtype=np.int64)
        v = _digits(_permute(keys, MAX_KEY, self.salt ^ 9_876_543), 7)
        deco = self.hash(keys, 31)
        m = np.empty((len(keys), 11), np.uint8)
        m[:, 0] = 49 + (deco % _U(9)).astype(np.int64)
        m[:, 1:8] = v
        m[:, 8:11] = _digits((deco >> _U(8)) % _U(1000), 3)
        letters = _fixed(_symbols(deco[:, None] >> _U(20), _UPPER, 2))
        out = []
        for s, t, lt in zip(_fixed(m), doc_type.tolist(), letters):
            out.append(lt + s[1:8] if t == 0 else s if t == 1 else "DL" + s[1:10])
        return out

    def addresses(self, keys, chain) -> list[str]:
        keys = np.asarray(keys, dtype=np.uint64)
        chain = np.asarray(chain, dtype=np.int64)
        out = [""] * len(keys)
        for c, (alpha, nchars, prefix) in enumerate(((_HEX, 40, "0x"), (_BASE58, 33, "T"), (_BECH32, 38, "bc1q"))):
            sel = np.flatnonzero(chain == c)
            if len(sel):
                for i, s in zip(sel.tolist(), _fixed(_symbols(self._words(keys[sel], 41, 4), alpha, nchars), prefix)):
                    out[i] = s
        return out

    def tx_ids(self, counters) -> list[str]:
        return _fixed(_digits(_permute(counters, 10 ** 12, self.salt ^ 7_368_787_253), 12), "T")


def tx_hashes(rng: np.random.Generator, n: int) -> list[str]:
    if n == 0:
        return []
    s = rng.bytes(32 * n).hex()
    return ["0x" + s[i:i + 64] for i in range(0, 64 * n, 64)]
