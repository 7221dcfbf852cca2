"""Demo customers: names, ages, jobs and homes drawn from vocab's weighted lists, with contact
points, consents, a segment and tags; and, for the domains that follow, a compact index of what
they need to know about each customer.

Customers are numbered in the order they joined (C0000001 is the oldest), which lets later
domains draw "a customer who had joined by then" as a prefix of one cumulative array."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from manyi.customers.choices import ContactKind, Gender
from manyi.customers.models import ContactPoint, Customer
from manyi.customers.normalize import normalize_contact

from . import vocab
from .bulk import Table
from .context import Context, code, cumulative, pick
from .timeline import DAY, Calendar

ENGLISH_SHARE = 0.15
ONLINE_SHARE = 0.20
ONLINE_TEAM = [key for key, _name, _lead in vocab.TEAMS].index("online")
SEGMENT_KEYS = [key for key, _name, _description in vocab.SEGMENTS]
NEW_DAYS, DORMANT_DAYS = 120, 365
# Segments of customers who joined before the last NEW_DAYS (dormant ones joined before the
# last DORMANT_DAYS too); recent joiners are new, or a business now and then.
ESTABLISHED_ODDS = {"regular": 62, "high": 11, "dormant": 17, "business": 6}
RECENT_ODDS = {"new": 95, "business": 5}
# How much more than a regular customer each segment buys (and gets in touch).
SEGMENT_APPETITE = {"regular": 1.0, "high": 4.0, "new": 1.2, "dormant": 0.8, "business": 3.0}
# Probability of each initial tag by segment key ("*" for all others); 投诉过 comes with
# complaints (see activity), at most three tags are drawn here.
TAG_ODDS = (
    ("VIP", {"high": 0.6, "business": 0.2, "*": 0.02}),
    ("会员", {"high": 0.9, "*": 0.4}),
    ("老客户", {"high": 0.5, "regular": 0.2, "dormant": 0.25, "*": 0.0}),
    ("价格敏感", {"high": 0.03, "*": 0.12}),
    ("推荐人", {"high": 0.15, "*": 0.04}),
    ("企业采购", {"business": 0.9, "*": 0.0}),
    ("以旧换新", {"*": 0.06}),
)
_NOT_DORMANT = {key: odds for key, odds in ESTABLISHED_ODDS.items() if key != "dormant"}
_SEGMENT_DRAWS = {  # by how long before the end the customer joined
    "months": (list(RECENT_ODDS), cumulative(RECENT_ODDS.values())),
    "year": (list(_NOT_DORMANT), cumulative(_NOT_DORMANT.values())),
    "longer": (list(ESTABLISHED_ODDS), cumulative(ESTABLISHED_ODDS.values())),
}
_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789"


_SURNAMES = [s for s, _w in vocab.SURNAMES]
_SURNAME_CUM = cumulative(w for _s, w in vocab.SURNAMES)
_REGION_CUM = cumulative(r.weight for r in vocab.REGIONS)
_REGION_CUM_EN = cumulative(
    r.weight * vocab.ENGLISH_REGION_FACTOR.get(r.name, 0.5) for r in vocab.REGIONS
)
_CITY_CUM = [cumulative(w for _c, w in r.cities) for r in vocab.REGIONS]
_OCCUPATIONS = [o for o, _w in vocab.OCCUPATIONS]
_OCCUPATION_CUM = cumulative(w for _o, w in vocab.OCCUPATIONS)
_DOMAINS_ZH = [d for d, _w in vocab.EMAIL_DOMAINS_ZH]
_DOMAINS_ZH_CUM = cumulative(w for _d, w in vocab.EMAIL_DOMAINS_ZH)
_DOMAINS_EN = [d for d, _w in vocab.EMAIL_DOMAINS_EN]
_DOMAINS_EN_CUM = cumulative(w for _d, w in vocab.EMAIL_DOMAINS_EN)


@dataclass
class CustomerIndex:
    """What later domains need about each customer, position = sequence number - 1, in compact
    arrays: a million customers cost megabytes here, not a million model instances."""

    pk: array = field(default_factory=lambda: array("q"))
    team: bytearray = field(default_factory=bytearray)  # position in vocab.TEAMS
    region: bytearray = field(default_factory=bytearray)  # position in vocab.REGIONS
    city: bytearray = field(default_factory=bytearray)  # position in the region's cities
    english: bytearray = field(default_factory=bytearray)  # prefers English
    segment: bytearray = field(default_factory=bytearray)  # position in vocab.SEGMENTS
    joined: array = field(default_factory=lambda: array("q"))  # seconds, ascending
    appetite: array = field(default_factory=lambda: array("d"))  # cumulative: who buys more
    tag_count: bytearray = field(default_factory=bytearray)
    complained: bytearray = field(default_factory=bytearray)  # tagged 投诉过

    def __len__(self) -> int:
        return len(self.pk)


CUSTOMER_COLUMNS = (
    "external_id", "name", "gender", "birth_year", "occupation", "region", "city", "segment",
    "team", "language", "consent_sms", "consent_phone", "consent_email", "consent_messaging",
    "notes", "created_at", "updated_at",
)  # fmt: skip


def phone_suffix(seq: int, salt: int) -> str:
    """Eight digits, different for every seq below 10⁸: two affine maps with a digit reversal
    between them, so numbers look random but can never repeat."""
    x = (seq * 61_803_399 + salt) % 100_000_000
    x = int(f"{x:08d}"[::-1])
    return f"{(x * 14_142_137 + 271_828) % 100_000_000:08d}"


class _People:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.rng = ctx.rng
        self.calendar = Calendar(ctx.start, ctx.tz)
        self.width = max(7, len(str(ctx.sizes.customers)))
        self.phone_salt = ctx.rng.randrange(100_000_000)
        self.emails: set[str] = set()

    def row(self, seq: int, joined: int) -> tuple[tuple, list, list, tuple]:
        """One customer: the Customer row, contacts (kind, value, label), tag names, and the
        (team, region, city, english, segment, appetite) the index keeps."""
        rng = self.rng
        english = rng.random() < ENGLISH_SHARE
        region_i = pick(rng, range(len(vocab.REGIONS)), _REGION_CUM_EN if english else _REGION_CUM)
        region = vocab.REGIONS[region_i]
        city_i = pick(rng, range(len(region.cities)), _CITY_CUM[region_i])
        birth_year = min(2006, max(1950, round(rng.gauss(1985, 11))))
        # Plain strings: Choices members hash by name, so they miss as keys of vocab's dicts.
        gender = str(Gender.FEMALE.value if rng.random() < 0.52 else Gender.MALE.value)
        if english:
            first = rng.choice(vocab.ENGLISH_FIRST[gender])
            last = rng.choice(vocab.ENGLISH_LAST)
            name = f"{first} {last}"
            language = "en" if rng.random() < 0.8 else "zh-hans"
            email_names = (first.lower(), last.lower())
        else:
            surname = pick(rng, _SURNAMES, _SURNAME_CUM)
            given = self.given_name(gender, birth_year)
            name, language = surname + given, "zh-hans"
            email_names = (
                "".join(vocab.GIVEN_PINYIN[c] for c in given),
                vocab.SURNAME_PINYIN[surname],
            )
        segment_key = self.segment(joined)
        segment = SEGMENT_KEYS.index(segment_key)
        team = ONLINE_TEAM if rng.random() < ONLINE_SHARE else self.team_index(region.team)
        occupation = self.occupation(self.ctx.until.year - birth_year)
        contacts = self.contacts(seq, english, email_names, birth_year, region, city_i)
        kinds = {kind for kind, _v, _l in contacts}
        created = self.calendar.at(joined)
        customer = (
            code("C", seq, self.width), name, gender, birth_year, occupation, region.name,
            region.cities[city_i][0], self.ctx.segment_ids[segment], self.ctx.teams[team].pk,
            language, rng.random() < 0.85, rng.random() < 0.6,
            ContactKind.EMAIL in kinds and rng.random() < 0.55,
            ContactKind.MESSAGING in kinds and rng.random() < 0.7,
            rng.choice(vocab.CUSTOMER_NOTES) if rng.random() < 0.04 else "", created, created,
        )  # fmt: skip
        tags = []
        for tag, odds in TAG_ODDS:
            if len(tags) < 3 and rng.random() < odds.get(segment_key, odds["*"]):
                tags.append(tag)
        appetite = rng.lognormvariate(0, 0.9) * SEGMENT_APPETITE[segment_key]
        return customer, contacts, tags, (team, region_i, city_i, english, segment, appetite)

    def segment(self, joined: int) -> str:
        ago = self.calendar.seconds - joined
        if ago <= NEW_DAYS * DAY:
            return pick(self.rng, *_SEGMENT_DRAWS["months"])
        return pick(self.rng, *_SEGMENT_DRAWS["year" if ago <= DORMANT_DAYS * DAY else "longer"])

    @staticmethod
    def team_index(key: str) -> int:
        return [k for k, _name, _lead in vocab.TEAMS].index(key)

    def given_name(self, gender: str, birth_year: int) -> str:
        rng = self.rng
        era = "old" if birth_year < 1972 else "young" if birth_year >= 1992 else "mid"
        length = 1 if rng.random() < (0.35 if era == "old" else 0.15) else 2
        chars = []
        for _ in range(length):
            pool = vocab.GIVEN_CHARS[(gender, era if rng.random() < 0.75 else "mid")]
            chars.append(rng.choice(pool))
        return "".join(chars)

    def occupation(self, age: int) -> str:
        rng = self.rng
        if age >= 60 and rng.random() < 0.8:
            return "退休"
        if age <= 22 and rng.random() < 0.75:
            return "学生"
        if rng.random() < 0.12:
            return ""
        return pick(rng, _OCCUPATIONS, _OCCUPATION_CUM)

    def contacts(self, seq, english, email_names, birth_year, region, city_i):
        rng = self.rng
        prefix = rng.choice(vocab.MOBILE_PREFIXES)
        suffix = phone_suffix(seq, self.phone_salt)
        typed = f"{prefix} {suffix[:4]} {suffix[4:]}" if rng.random() < 0.5 else prefix + suffix
        contacts = [(ContactKind.PHONE, typed, "手机")]
        if rng.random() < 0.6:
            contacts.append(
                (ContactKind.EMAIL, self.email(seq, english, email_names, birth_year), "")
            )
        if rng.random() < 0.7:
            label = "家庭地址" if rng.random() < 0.8 else "公司地址"
            contacts.append((ContactKind.ADDRESS, self.address(region, city_i), label))
        if rng.random() < 0.4:
            wechat = "wxid_" + "".join(rng.choices(_ALPHANUMERIC, k=12))
            contacts.append((ContactKind.MESSAGING, wechat, "微信"))
        return [(kind, normalize_contact(kind, value), label) for kind, value, label in contacts]

    def email(self, seq, english, names, birth_year) -> str:
        rng = self.rng
        given, family = names
        if english:
            domain = pick(rng, _DOMAINS_EN, _DOMAINS_EN_CUM)
        else:
            domain = pick(rng, _DOMAINS_ZH, _DOMAINS_ZH_CUM)
            if domain == "qq.com":  # QQ mail addresses are QQ numbers; these are unique
                return f"{100_000 + seq * 97 + rng.randrange(97)}@qq.com"
        local = rng.choice(
            (f"{given}.{family}", f"{family}{given}{birth_year % 100:02d}", f"{given[0]}{family}")
        )
        email = f"{local}@{domain}"
        if email in self.emails:
            email = f"{local}{seq}@{domain}"
        self.emails.add(email)
        return email

    def address(self, region: vocab.Region, city_i: int) -> str:
        rng = self.rng
        city = region.cities[city_i][0]
        place = rng.choice(vocab.DISTRICTS[city]) if city in vocab.DISTRICTS else f"{city}市"
        road = f"{rng.choice(vocab.ROADS)}{rng.randint(1, 999)}号"
        flat = f"{rng.randint(1, 30)}栋{rng.randint(1, 32)}0{rng.randint(1, 6)}室"
        return f"{region.full_name}{place}{road}{rng.choice(vocab.COMPOUNDS)}{flat}"


def create_customers(ctx: Context) -> None:
    people = _People(ctx)
    ctx.customers = CustomerIndex()
    tables = (
        Table(Customer, CUSTOMER_COLUMNS),
        Table(ContactPoint, ("customer", "kind", "value", "label", "is_primary")),
        Table(Customer.tags.through, ("customer", "tag")),
    )
    ctx.counts.update(customers=0, contacts=0, customer_tags=0)
    batch = []
    # One join time, then that customer: drawing in this order keeps the data independent of
    # the batch size.
    for seq, joined in enumerate(
        people.calendar.joining().moments(ctx.rng, ctx.sizes.customers), 1
    ):
        batch.append((joined, *people.row(seq, joined)))
        if len(batch) == ctx.batch_size:
            _insert(ctx, tables, batch)
            batch = []
    _insert(ctx, tables, batch)


def _insert(ctx: Context, tables: tuple[Table, Table, Table], batch: list) -> None:
    if not batch:
        return
    customers, contacts, links = tables
    index, counts = ctx.customers, ctx.counts
    counts["customers"] += customers.insert([row for _joined, row, *_rest in batch])
    pks = customers.pks("external_id", batch[0][1][0], batch[-1][1][0])
    contact_rows, link_rows = [], []
    for pk, (joined, _row, contact_list, tags, facts) in zip(pks, batch, strict=True):
        contact_rows.extend((pk, kind, value, label, True) for kind, value, label in contact_list)
        link_rows.extend((pk, ctx.tag_ids[tag]) for tag in tags)
        team, region, city, english, segment, appetite = facts
        index.pk.append(pk)
        index.team.append(team)
        index.region.append(region)
        index.city.append(city)
        index.english.append(english)
        index.segment.append(segment)
        index.joined.append(joined)
        index.appetite.append(appetite + (index.appetite[-1] if index.appetite else 0.0))
        index.tag_count.append(len(tags))
        index.complained.append(0)
    counts["contacts"] += contacts.insert(contact_rows)
    counts["customer_tags"] += links.insert(link_rows)
