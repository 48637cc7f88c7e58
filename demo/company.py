"""Demo data: the eleven key accounts of SPEC §8 with their stores, products, people and sell-in.

Deliveries are generated so that, for January–May of the demo year, each account's sell-in
(quantity × unit price) equals SPEC §8's actual exactly, the same months of the year before give
its growth, and the monthly targets add up to its target. Each month is delivered in whole cases sized
to what each store sells (demo/deliveries.py), and a remainder in loose packs: every unit price is a
multiple of 0.25 CNY, so any amount in hundreds of yuan adds up exactly.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import CollectionTarget, Contact, ContactLog, KeyAccount, SalesTarget, StoreTarget
from accounts.roles import Role
from accounts.services import user_set_role
from demo.contracts import seed_contracts
from demo.deliveries import (
    REMAINDER_CODES,
    LoosePacks,
    account_pairs,
    fine_window_start,
    insert,
    month_deliveries,
)
from demo.visits import WEEKS_BACK, seed_visits
from stores.models import Listing, Product, Store
from visits.services import week_start_of

User = get_user_model()

DEFAULT_PASSWORD = "demo1234"
SPEC_MONTHS = range(1, 6)  # January–May: the period SPEC §8's figures cover


@dataclass(frozen=True)
class DemoAccount:
    code: str
    name: str
    name_en: str
    tier: str
    format: str
    margin_model: str
    target: Decimal  # Jan–May, CNY
    actual: Decimal  # Jan–May, CNY
    last_year: Decimal  # Jan–May of the year before, CNY: gives SPEC §8's growth to 0.01 %


def _wan(value: str) -> Decimal:
    return Decimal(value) * 10000


ACCOUNTS = [
    DemoAccount(
        "WMT", "沃尔玛", "Walmart", "GKA", "hypermarket", "front", _wan("19.97"), _wan("32.03"), Decimal("169200")
    ),
    DemoAccount("TIMES", "时代", "Times", "LKA", "supermarket", "back", _wan("8.89"), _wan("12.67"), Decimal("75300")),
    DemoAccount(
        "NGS", "农工商", "Nonggongshang", "LKA", "supermarket", "back", _wan("85.77"), _wan("118.00"), Decimal("857700")
    ),
    DemoAccount(
        "LH",
        "世纪联华",
        "Century Lianhua",
        "NKA",
        "hypermarket",
        "back",
        _wan("132.55"),
        _wan("124.20"),
        Decimal("1123300"),
    ),
    DemoAccount(
        "RTM", "大润发", "RT-Mart", "NKA", "hypermarket", "back", _wan("77.58"), _wan("71.81"), Decimal("657500")
    ),
    DemoAccount(
        "CRF", "家乐福", "Carrefour", "GKA", "hypermarket", "back", _wan("117.28"), _wan("83.18"), Decimal("993900")
    ),
    DemoAccount(
        "TESCO", "乐购", "Tesco", "GKA", "hypermarket", "back", _wan("161.37"), _wan("104.33"), Decimal("1367500")
    ),
    DemoAccount(
        "TRUST", "好又多", "Trust-Mart", "NKA", "hypermarket", "back", _wan("112.15"), _wan("70.93"), Decimal("950400")
    ),
    DemoAccount(
        "LOTUS", "易初莲花", "Lotus", "GKA", "hypermarket", "back", _wan("213.75"), _wan("134.70"), Decimal("1811400")
    ),
    DemoAccount(
        "AUCHAN", "欧尚", "Auchan", "GKA", "hypermarket", "back", _wan("76.01"), _wan("46.79"), Decimal("644200")
    ),
    DemoAccount(
        "PNS", "百佳", "Park'n Shop", "LKA", "supermarket", "front", _wan("4.57"), _wan("0.42"), Decimal("38700")
    ),
]
MANAGER2_ACCOUNTS = {"TIMES", "PNS"}

# code, name, brand, category, packs/case, distributor, wholesale, store purchase, shelf, suggested retail
PRODUCTS = [
    ("P001", "海川纯生啤酒 500ml", "海川", "啤酒", 12, "3.60", "3.90", "4.00", "4.80", "5.00"),
    ("P002", "海川经典啤酒 330ml", "海川", "啤酒", 24, "2.10", "2.30", "2.50", "3.00", "3.20"),
    ("P003", "海川冰爽啤酒 500ml", "海川", "啤酒", 12, "4.40", "4.70", "5.00", "5.80", "6.00"),
    ("P004", "海川黑啤 500ml", "海川", "啤酒", 12, "5.50", "5.90", "6.25", "7.50", "7.90"),
    ("P005", "海川原浆啤酒 1L", "海川", "啤酒", 6, "18.00", "19.00", "20.00", "24.00", "25.00"),
    ("P006", "海川精酿IPA 330ml", "海川", "啤酒", 24, "8.80", "9.40", "10.00", "12.00", "12.80"),
    ("P007", "海川纯生礼盒 12罐", "海川", "啤酒", 4, "42.00", "45.00", "50.00", "58.00", "60.00"),
    ("P008", "海川小麦啤酒 500ml", "海川", "啤酒", 12, "5.40", "5.80", "6.25", "7.30", "7.50"),
    ("P101", "乐滋薯片原味 70g", "乐滋", "休闲零食", 20, "4.30", "4.60", "5.00", "6.30", "6.50"),
    ("P102", "乐滋薯片番茄味 70g", "乐滋", "休闲零食", 20, "4.30", "4.60", "5.00", "6.30", "6.50"),
    ("P103", "乐滋薯片黄瓜味 70g", "乐滋", "休闲零食", 20, "4.30", "4.60", "5.00", "6.30", "6.50"),
    ("P104", "乐滋虾条 50g", "乐滋", "休闲零食", 30, "2.10", "2.30", "2.50", "3.20", "3.50"),
    ("P105", "乐滋锅巴 100g", "乐滋", "休闲零食", 20, "3.40", "3.70", "4.00", "5.00", "5.20"),
    ("P106", "乐滋坚果礼盒 500g", "乐滋", "休闲零食", 6, "42.00", "45.50", "50.00", "62.00", "65.00"),
    ("P107", "乐滋牛肉干 100g", "乐滋", "休闲零食", 24, "10.80", "11.50", "12.50", "15.80", "16.80"),
    ("P108", "乐滋夏威夷果 200g", "乐滋", "休闲零食", 12, "21.50", "23.00", "25.00", "31.50", "32.80"),
    ("P109", "乐滋海苔 30g", "乐滋", "休闲零食", 40, "4.40", "4.70", "5.00", "6.30", "6.80"),
    ("P110", "乐滋黄油饼干 200g", "乐滋", "休闲零食", 24, "5.60", "5.95", "6.25", "7.90", "8.50"),
    ("P111", "乐滋苏打饼干 400g", "乐滋", "休闲零食", 12, "8.90", "9.50", "10.00", "12.90", "13.50"),
    ("P112", "乐滋威化 150g", "乐滋", "休闲零食", 24, "3.50", "3.80", "4.00", "5.20", "5.50"),
    ("P201", "清源矿泉水 550ml", "清源", "饮料", 24, "1.05", "1.15", "1.25", "1.80", "2.00"),
    ("P202", "清源绿茶 500ml", "清源", "饮料", 15, "2.00", "2.30", "2.50", "3.30", "3.50"),
    ("P203", "清源橙汁 1L", "清源", "饮料", 12, "8.60", "9.20", "10.00", "12.80", "13.50"),
    ("P204", "清源柠檬茶 500ml", "清源", "饮料", 15, "3.50", "3.75", "4.00", "5.00", "5.00"),
]

# username, family name, given name, role, region, supervisor
PEOPLE = [
    ("admin", "管", "理员", Role.ADMIN, "", None),
    ("manager1", "陈", "静", Role.MANAGER, "华东", None),
    ("manager2", "赵", "敏", Role.MANAGER, "华东", None),
    ("finance1", "刘", "洋", Role.FINANCE, "华东", None),
    ("supervisor1", "王", "强", Role.SUPERVISOR, "上海", None),
    ("supervisor2", "孙", "丽", Role.SUPERVISOR, "浙江", None),
    ("rep1", "张", "伟", Role.REP, "上海", "supervisor1"),
    ("rep2", "李", "娜", Role.REP, "上海", "supervisor1"),
    ("rep3", "周", "杰", Role.REP, "浙江", "supervisor2"),
    ("rep4", "吴", "芳", Role.REP, "浙江", "supervisor2"),
]
REPS = ["rep1", "rep2", "rep3", "rep4"]
# Each rep: 5 A + 5 B + 5 C stores = 15 + 10 + 5 = 30 visits a week (SPEC §4's example).
GRADES_PER_REP = ["A"] * 5 + ["B"] * 5 + ["C"] * 5
AREAS = {
    "rep1": ("上海", "上海", 31.2990, 121.5140, ["五角场", "控江路", "大连路", "江湾", "新江湾城", "杨浦"]),
    "rep2": ("上海", "上海", 31.2000, 121.4360, ["徐家汇", "古北", "中山公园", "漕宝路", "田林", "虹桥"]),
    "rep3": ("杭州", "浙江", 30.2740, 120.1550, ["西湖", "拱墅", "下沙", "滨江", "萧山", "余杭"]),
    "rep4": ("苏州", "浙江", 31.2990, 120.5850, ["观前", "园区", "新区", "吴中", "相城", "金鸡湖"]),
}
LISTED_BY_GRADE = {"A": 24, "B": 16, "C": 10}


def _split(total: Decimal, parts: int, rng: random.Random, unit: Decimal = Decimal("100")) -> list[Decimal]:
    """Split an amount (a multiple of ``unit``) into ``parts`` multiples of ``unit`` that add up exactly."""
    units = int(total / unit)
    weights = [rng.uniform(0.8, 1.2) for _ in range(parts)]
    shares = [int(units * w / sum(weights)) for w in weights]
    shares[-1] += units - sum(shares)
    return [unit * s for s in shares]


def _month_days(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - date(year, month, 1)).days


class DemoSeeder:
    def __init__(self, *, password: str, today: date, seed: int = 20260101) -> None:
        self.password = password
        self.today = today
        self.year = today.year
        self.rng = random.Random(seed)
        self.created = 0

    def run(self, *, reset_passwords: bool) -> int:
        with transaction.atomic():
            users = self._people(reset_passwords)
            if KeyAccount.objects.filter(code=ACCOUNTS[0].code).exists():
                return self.created  # the demo company is there already: change nothing
            products = self._products()
            accounts = self._accounts(users)
            stores = self._stores(accounts, users)
            listings = self._listings(stores, products)
            self._contacts(accounts, users)
            self._targets(accounts)
            self._deliveries(accounts, stores, listings)
            self._store_and_collection_targets(stores)
            self.created += seed_contracts(today=self.today, rng=self.rng)
        return self.created

    def _people(self, reset_passwords: bool) -> dict:
        users = {}
        for username, family, given, role, region, supervisor in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"last_name": family, "first_name": given, "email": f"{username}@example.com"},
            )
            if created or reset_passwords:
                user.set_password(self.password)
                user.save()
            if created:
                self.created += 1
                user_set_role(user=user, role=role, region=region, supervisor=users.get(supervisor))
            users[username] = user
        return users

    def _products(self) -> list[Product]:
        products = []
        for code, name, brand, category, ppc, dist, whole, purchase, shelf, srp in PRODUCTS:
            product = Product.objects.create(
                code=code,
                barcode=f"69{self.rng.randrange(10**10, 10**11)}",
                name=name,
                brand=brand,
                category=category,
                packs_per_case=ppc,
                distributor_price=Decimal(dist),
                wholesale_price=Decimal(whole),
                suggested_retail_price=Decimal(srp),
            )
            product.demo_purchase_price = Decimal(purchase)
            product.demo_shelf_price = Decimal(shelf)
            products.append(product)
        self.created += len(products)
        return products

    def _accounts(self, users) -> list[KeyAccount]:
        accounts = []
        for spec in ACCOUNTS:
            owner = users["manager2" if spec.code in MANAGER2_ACCOUNTS else "manager1"]
            accounts.append(
                KeyAccount.objects.create(
                    code=spec.code,
                    name=spec.name,
                    name_en=spec.name_en,
                    tier=spec.tier,
                    format=spec.format,
                    purchasing_mode="central" if spec.tier == "GKA" else "per_store",
                    margin_model=spec.margin_model,
                    owner=owner,
                    region="华东",
                )
            )
        self.created += len(accounts)
        return accounts

    def _stores(self, accounts, users) -> list[Store]:
        stores = []
        n = 0
        for rep_name in REPS:
            city, region, lat, lng, districts = AREAS[rep_name]
            for i, grade in enumerate(GRADES_PER_REP):
                account = accounts[n % len(accounts)]
                district = districts[i % len(districts)]
                n += 1
                stores.append(
                    Store(
                        account=account,
                        code=f"{account.code}-{n:03d}",
                        name=f"{account.name}{district}店"
                        + ("" if i < len(districts) else f"{i // len(districts) + 1}"),
                        address=f"{city}{_road(district)}{self.rng.randint(1, 999)}号",
                        city=city,
                        region=region,
                        latitude=Decimal(str(round(lat + self.rng.uniform(-0.05, 0.05), 6))),
                        longitude=Decimal(str(round(lng + self.rng.uniform(-0.05, 0.05), 6))),
                        grade=grade,
                        rep=users[rep_name],
                        opened_on=date(self.year - self.rng.randint(2, 12), self.rng.randint(1, 12), 1),
                    )
                )
        Store.objects.bulk_create(stores)
        self.created += len(stores)
        return list(Store.objects.filter(code__in=[s.code for s in stores]).select_related("account"))

    def _listings(self, stores, products) -> dict:
        rows = []
        for store in stores:
            chosen = products[:4] + self.rng.sample(products[4:], LISTED_BY_GRADE[store.grade] - 4)
            for product in chosen:
                rows.append(
                    Listing(
                        store=store,
                        product=product,
                        listed_on=store.opened_on,
                        listing_fee=Decimal(self.rng.choice([0, 500, 1000, 2000])),
                        purchase_price=product.demo_purchase_price,
                        shelf_price=product.demo_shelf_price,
                    )
                )
        Listing.objects.bulk_create(rows)
        self.created += len(rows)
        by_store: dict[int, list[Listing]] = {}
        for listing in rows:
            by_store.setdefault(listing.store_id, []).append(listing)
        return by_store

    def _contacts(self, accounts, users) -> None:
        names = [
            "王建国",
            "李晓梅",
            "张海燕",
            "刘志强",
            "陈立新",
            "杨帆",
            "黄蕾",
            "赵磊",
            "周婷",
            "吴刚",
            "徐明",
            "孙悦",
        ]
        parts = [
            Contact.Part.DECISION_MAKER,
            Contact.Part.PURCHASER,
            Contact.Part.BENEFICIARY,
            Contact.Part.INTERMEDIARY,
        ]
        titles = {
            "decision_maker": "采购总监",
            "purchaser": "品类采购",
            "beneficiary": "店长",
            "intermediary": "营运经理",
        }
        for i, account in enumerate(accounts):
            owner = account.owner
            for j in range(2):
                part = parts[(i + j) % len(parts)]
                # A few birthdays fall within the coming week so the home page has something to show.
                birthday_in = (i * 2 + j * 5) % 40
                soon = self.today + timedelta(days=birthday_in)
                contact = Contact.objects.create(
                    account=account,
                    name=names[(i * 2 + j) % len(names)],
                    title=titles[part],
                    phone=f"139{self.rng.randrange(10**7, 10**8)}",
                    email=f"buyer{i}{j}@{account.code.lower()}.example.com",
                    birthday=date(1975 + (i + j) % 20, soon.month, min(soon.day, 28)),
                    part=part,
                    relationship_level=1 + (i + j) % 3,
                )
                ContactLog.objects.create(
                    account=account,
                    contact=contact,
                    date=self.today - timedelta(days=7 + i),
                    author=owner,
                    channel=ContactLog.Channel.VISIT if j == 0 else ContactLog.Channel.PHONE,
                    summary=f"与{contact.name}沟通{self.year}年度合同条款与二季度促销档期",
                    next_step="提交促销方案" if j == 0 else "确认新品进场",
                    follow_up_on=self.today + timedelta(days=(i + j * 3) % 9 - 2),
                )
                self.created += 2

    def _targets(self, accounts) -> None:
        rows = []
        for account, spec in zip(accounts, ACCOUNTS, strict=True):
            spring = _split(spec.target, len(SPEC_MONTHS), self.rng)
            monthly = spec.target / len(SPEC_MONTHS)
            for year in (self.year - 1, self.year):
                for month in range(1, 13):
                    if year == self.year and month in SPEC_MONTHS:
                        amount = spring[month - 1]
                    else:
                        amount = (monthly * Decimal(str(round(self.rng.uniform(0.9, 1.1), 2)))).quantize(Decimal("100"))
                    rows.append(SalesTarget(account=account, year=year, month=month, amount=amount))
        SalesTarget.objects.bulk_create(rows)
        self.created += len(rows)

    def _store_and_collection_targets(self, stores) -> None:
        """This year's store targets: 95 % of each account's monthly target shared over its stores by grade (A 3,
        B 2, C 1), to the hundred, so the roll-up sits a little under the account's own; and collection targets
        (回款指标) of 90 % of it. No random numbers: the rest of the demo stays as it was."""
        weight = {Store.Grade.A: 3, Store.Grade.B: 2, Store.Grade.C: 1}
        by_account = defaultdict(list)
        for store in stores:
            by_account[store.account_id].append(store)
        targets = SalesTarget.objects.filter(account_id__in=list(by_account), year=self.year)
        store_rows, collection_rows = [], []
        for target in targets:
            month = date(self.year, target.month, 1)
            chain = by_account[target.account_id]
            whole = sum(weight.get(store.grade, 1) for store in chain)
            for store in chain:
                share = target.amount * Decimal("0.95") * weight.get(store.grade, 1) / whole
                store_rows.append(StoreTarget(store=store, month=month, amount=share.quantize(Decimal("100"))))
            collection = (target.amount * Decimal("0.9")).quantize(Decimal("100"))
            collection_rows.append(CollectionTarget(account_id=target.account_id, month=month, amount=collection))
        StoreTarget.objects.bulk_create(store_rows)
        CollectionTarget.objects.bulk_create(collection_rows)
        self.created += len(store_rows) + len(collection_rows)

    def _deliveries(self, accounts, stores, listings) -> None:
        """Sell-in per account and month: SPEC §8's Jan–May exactly; plausible figures elsewhere up to yesterday
        (this month so far). demo/deliveries.py shares each month out over the stores' products by how fast they
        sell, in deliveries of whole cases."""
        stores_by_account: dict[int, list[Store]] = {}
        for store in stores:
            stores_by_account.setdefault(store.account_id, []).append(store)
        layout = random.Random(self.rng.random())  # where and when: its own generator, the amounts keep theirs
        listed = {(listing.store_id, listing.product.code): listing for rows in listings.values() for listing in rows}
        loose = LoosePacks({code: listed[stores[0].pk, code].purchase_price for code in REMAINDER_CODES})
        window = fine_window_start(week_start_of(self.today) - timedelta(weeks=WEEKS_BACK))
        yesterday = self.today - timedelta(days=1)
        this_month = self.today.replace(day=1)
        rows = []
        for account, spec in zip(accounts, ACCOUNTS, strict=True):
            monthly_this = spec.actual / len(SPEC_MONTHS)
            monthly_last = spec.last_year / len(SPEC_MONTHS)
            pairs = account_pairs(stores_by_account[account.id], listings, monthly_this, layout)
            for year, spring_total, monthly in (
                (self.year - 1, spec.last_year, monthly_last),
                (self.year, spec.actual, monthly_this),
            ):
                spring = _split(spring_total, len(SPEC_MONTHS), self.rng)
                for month in range(1, 13):
                    first = date(year, month, 1)
                    if month in SPEC_MONTHS:
                        amount, last_day = spring[month - 1], date.max
                    elif first <= this_month:  # this month: so far, up to yesterday, at its pace
                        amount, last_day = _noisy(monthly, self.rng), yesterday
                    else:
                        continue  # months not begun yet
                    rows += month_deliveries(
                        pairs, year, month, amount, window=window, last_day=last_day, rng=layout, loose=loose,
                        listed=listed,
                    )  # fmt: skip
        insert(rows)
        self.created += len(rows)


def _noisy(monthly: Decimal, rng: random.Random) -> Decimal:
    return (monthly * Decimal(str(round(rng.uniform(0.85, 1.15), 2)))).quantize(Decimal("100"))


def seed_demo(*, password: str = DEFAULT_PASSWORD, today: date, reset_passwords: bool = False) -> int:
    """Fill the database with the demo company; return how many records were created (0 the second time)."""
    from demo.evidence import seed_evidence
    from demo.promoters import seed_late_shift, seed_promoters
    from demo.promotions import seed_promotions
    from demo.tradespend import seed_ledger_catch_up, seed_month_close, seed_trade_spend

    created = DemoSeeder(password=password, today=today).run(reset_passwords=reset_passwords)
    # Outside the early return: each run tops up the current week's routes (idempotent per rep and week).
    created += seed_visits(today=today, rng=random.Random(today.toordinal()))
    created += seed_promotions(today=today, rng=random.Random(20260605))
    # The roster before the ledger: the promoters' pay is booked in the months it was earned, which finance then
    # closes with it (a roster entered after the close would owe every closed month's pay as one true-up).
    created += seed_promoters(today=today, password=password, reset_passwords=reset_passwords)
    created += seed_trade_spend(today=today)
    closed = seed_month_close(today=today)
    created += closed + seed_evidence(today=today)
    if closed:  # the months closed in this run: a shift of the last one keyed in since owes it a true-up
        created += seed_late_shift(today=today) + seed_ledger_catch_up(today=today)
    return created


def _road(district: str) -> str:
    """A store's road in its district: 五角场路, and a district named after its road stays 控江路 (not 控江路路)."""
    return district if district.endswith("路") else f"{district}路"
