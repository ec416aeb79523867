#!/usr/bin/env python3
"""Generate a province-scale, fictitious but valid data set in the portal's data contract (v1).

    python bench/province.py --scale 0.1 --out /tmp/prov
    .venv/bin/portal check --strict --notices /tmp/prov/notices

writes ``<out>/notices/`` (regions.yaml, contacts/<county>/<town>.yaml,
lost/<year>/<name>.yaml, deregistration/<year>/<name>.yaml) and ``<out>/province.json`` (the
counts). Standard library only; deterministic for a given --seed, --scale and --today.

At --scale 1: the 14 real cities (prefecture-level) of Hunan, 122 invented counties, 1,900
invented towns and streets (a fifth of them urban 街道 whose children are 社区), ~15 villages or
communities per town, ~50 grids per town (a leader and 2 workers with duties; urban grids
~10 buildings each with a building leader), 30,000 lost-document notices and 3,000
deregistration notices published 2021-01-01 … 2025-12-31. Scale multiplies towns and notices;
counties = max(14, round(122 * scale)) so every city keeps at least one county; towns are at
least one per county. Per-town structure (villages, grids, people) does not depend on scale.

Every ID number (GB 11643), credit code (GB 32100 with its GB 11714 organisation code), document
number and phone number generated is valid and unique; every date lies on or before --today.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

# ----------------------------------------------------------------------------- scale

BASE_COUNTIES = 122
BASE_TOWNS = 1900
BASE_LOST = 30000
BASE_DEREG = 3000
URBAN_SHARE = 0.2
VILLAGES_PER_TOWN = (11, 19)  # uniform, mean 15
GRIDS_PER_TOWN = (40, 60)  # uniform, mean 50
BUILDINGS_PER_URBAN_GRID = (8, 12)
WORKERS_PER_GRID = 2
FIRST_YEAR, LAST_YEAR = 2021, 2025
MARKER = ".generated-by-bench-province"

# ----------------------------------------------------------------------------- identifiers
# The algorithms of generator/checking/identifiers.py, reimplemented so this script needs no third-party
# package (the checker validates the output, which is the real test).

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_INDEX = {ch: i for i, ch in enumerate(CREDIT_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# GB 11714 body characters that are also legal in a credit code (no I, O, S, V, Z).
ORG_BODY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def org_check(body8: str) -> str:
    total = sum(int(ch, 36) * w for ch, w in zip(body8, _ORG_WEIGHTS))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def credit_check(first17: str) -> str:
    total = sum(_CREDIT_INDEX[ch] * w for ch, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


# ----------------------------------------------------------------------------- pools

# The 14 prefecture-level divisions of Hunan: name, GB/T 2260 code, telephone area code,
# number of county-level divisions (sums to 122; used as weights when scaling), short name.
CITIES = [
    ("长沙市", "430100", "0731", 9, "长"),
    ("株洲市", "430200", "0731", 9, "株"),
    ("湘潭市", "430300", "0731", 5, "潭"),
    ("衡阳市", "430400", "0734", 12, "衡"),
    ("邵阳市", "430500", "0739", 12, "邵"),
    ("岳阳市", "430600", "0730", 9, "岳"),
    ("常德市", "430700", "0736", 9, "常"),
    ("张家界市", "430800", "0744", 4, "张"),
    ("益阳市", "430900", "0737", 6, "益"),
    ("郴州市", "431000", "0735", 11, "郴"),
    ("永州市", "431100", "0746", 11, "永"),
    ("怀化市", "431200", "0745", 12, "怀"),
    ("娄底市", "431300", "0738", 5, "娄"),
    ("湘西土家族苗族自治州", "433100", "0743", 8, "湘西"),
]

# Place-name characters with their pinyin (the pinyin makes the file and folder names; sibling names
# are kept apart so each file has its own name, although the site would tell homophones apart itself).
# The readings agree with generator/checking/slugs.py, which makes the site's addresses (tests/test_addresses.py
# checks), so every address is the file name and no redirect is made (dev/addresses.md).
PLACE_FIRST = (
    "东dong 西xi 南nan 北bei 中zhong 上shang 下xia 大da 小xiao 高gao 新xin 老lao 青qing 白bai "
    "黄huang 红hong 金jin 石shi 龙long 凤feng 马ma 牛niu 鹤he 桃tao 杨yang 柳liu 松song 竹zhu "
    "梅mei 兰lan 茶cha 桂gui 樟zhang 花hua 长chang 平ping 安an 福fu 太tai 永yong 兴xing 清qing "
    "泉quan 湘xiang 沙sha 潭tan 湖hu 溪xi 江jiang 山shan 岭ling 塘tang 坪ping 桥qiao 湾wan 洲zhou "
    "田tian 乌wu 甘gan 双shuang 三san 五wu 七qi 九jiu 德de 仁ren 义yi 泰tai 宝bao 玉yu 云yun "
    "星xing 月yue 阳yang 光guang 明ming 丰feng 富fu 瑞rui 吉ji 祥xiang 乐le 春chun 秋qiu 碧bi 翠cui "
    "紫zi 望wang 观guan 仙xian 灵ling 岩yan 洪hong 沅yuan 资zi 潇xiao 涟lian 蓝lan 桑sang "
    "麻ma 杉shan 槐huai 楠nan 芙fu 蓉rong 锦jin 秀xiu 文wen 武wu 荷he 莲lian 枣zao 栗li "
    "桐tong 杜du 樊fan 蔡cai 罗luo 谢xie 邓deng 彭peng 雁yan 鹿lu 狮shi 虎hu 象xiang 凰huang"
)
PLACE_SECOND = (
    "塘tang 湾wan 桥qiao 坪ping 冲chong 山shan 岭ling 溪xi 田tian 坡po 洲zhou 湖hu 港gang 江jiang "
    "源yuan 泉quan 林lin 峰feng 岩yan 口kou 铺pu 坳ao 垅long 阳yang 兴xing 安an 和he 华hua 家jia "
    "庄zhuang 星xing 光guang 明ming 园yuan 亭ting 坊fang 堡bao 寨zhai 坝ba 河he 水shui 石shi 竹zhu "
    "花hua 茶cha 桂gui 松song 枫feng 梅mei 莲lian 云yun 霞xia 台tai 城cheng 丘qiu 湄mei 滩tan "
    "渡du 埠bu 岗gang 坑keng 垄long 峪yu 谷gu 里li 乡xiang 新xin 丰feng 盛sheng 福fu"
)


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(item[0], item[1:]) for item in text.split()]


FIRST = _pairs(PLACE_FIRST)
SECOND = _pairs(PLACE_SECOND)

# Surnames common in Hunan, with rough weights (compound surnames included).
SURNAMES = (
    "刘12 李10 王9 陈9 张8 杨7 黄6 周6 唐6 罗6 彭5 曾5 谭5 邓5 胡5 肖4 易4 谢4 廖4 贺4 龙4 "
    "文3 朱3 袁3 蒋3 邹3 段3 尹3 颜3 向3 阳2 聂2 旷1 伍2 吴4 赵3 何3 毛2 雷2 戴2 匡1 夏2 钟2 石2 "
    "田2 符1 汤2 龚2 熊2 覃1 舒1 谷1 蔡2 宋2 姚2 许2 郭2 邱2 丁1 宁1 凌1 莫1 曹2 严1 左1 江1 "
    "梁2 万1 禹1 皮1 粟1 滕1 姜1 欧阳2 司马1 上官1 杜2 付2 傅1 孙2 马2 任1 卢2 汪1 方1 金1 陶1 "
    "董1 于1 徐2 高2 林2 郑2 刘1 梁1"
)
SURNAME_POOL: list[str] = []
for _item in SURNAMES.split():
    _name = _item.rstrip("0123456789")
    SURNAME_POOL += [_name] * int(_item[len(_name) :])

MALE_CHARS = list(
    "伟建国明军海志勇华平文俊强林波斌峰龙杰涛浩宇鹏辉新春立永德胜湘云子家晓冬振兴光荣贵金学武凯超磊鑫博晨阳亮刚洪松清正宏远"
)
FEMALE_CHARS = list("芳丽英敏娟燕红艳霞玲兰秀萍梅琴桂珍慧静婷雪倩佳欣雨梦琳淑翠美凤秋晓湘玉春丹莉娜颖媛诗思月蓉洁")

DUTIES = [
    "政策宣传",
    "矛盾纠纷调解",
    "社会治安巡查",
    "安全隐患排查",
    "民生服务代办",
    "特殊人群关爱",
    "环境卫生监督",
    "信息采集",
    "防汛防火",
    "法律咨询转介",
]
COMPOUND_SUFFIXES = ["小区", "花园", "名苑", "雅苑", "家园", "新村", "公寓", "嘉园", "华庭", "佳苑", "宿舍"]
STREET_NAMES = [
    "正街",
    "新街",
    "河边街",
    "老街",
    "建设路",
    "人民路",
    "解放路",
    "文化路",
    "老粮站片",
    "车站片",
    "学校片",
    "市场片",
    "工业园片",
    "沿江路",
    "兴业路",
]
ROADS = ["人民路", "建设路", "解放路", "文化路", "兴业路", "正街", "新华路", "迎宾路", "中山路", "沿江路"]
JUDGE_TITLES = ["人民法庭庭长", "员额法官", "员额法官", "法官", "法官", "法官助理"]
GUIDE_TOPICS = [
    ("土地与宅基地", "《中华人民共和国土地管理法》", "第六十二条"),
    ("人民调解", "《中华人民共和国人民调解法》", "第三十一条"),
    ("赡养继承", "《中华人民共和国民法典》", "第一千零六十七条"),
    ("法律援助", "《中华人民共和国法律援助法》", "第三十一条"),
    ("劳动报酬", "《保障农民工工资支付条例》", "第三十条"),
]
LAW_FIRM_WORDS = ["致远", "明理", "正和", "天平", "楚信", "湘誉", "公正", "弘法", "诚和", "金平", "启元", "德恒"]
SHOP_WORDS = [
    "兴旺",
    "恒昌",
    "瑞通",
    "宏达",
    "通达",
    "鑫源",
    "永盛",
    "和顺",
    "新华",
    "聚福",
    "金泰",
    "昌隆",
    "利民",
    "众诚",
    "安康",
    "佳禾",
    "丰收",
    "绿源",
    "华兴",
    "宏图",
    "天成",
    "同心",
    "福满",
    "振兴",
    "顺发",
    "隆鑫",
]
TRADES = [
    "商贸",
    "建材",
    "农资",
    "汽车配件",
    "餐饮管理",
    "物流",
    "装饰工程",
    "电子科技",
    "农业开发",
    "食品",
    "服装",
    "五金",
    "家具",
    "信息技术",
    "劳务",
    "文化传媒",
    "养殖",
    "茶业",
    "旅游开发",
    "医药",
]
SHOP_KINDS = [
    "经营部",
    "商行",
    "便利店",
    "超市",
    "副食店",
    "五金店",
    "餐馆",
    "理发店",
    "农资店",
    "维修部",
    "诊所",
    "药店",
]
CO_OP_TRADES = [
    "果蔬种植",
    "水稻种植",
    "茶叶种植",
    "生猪养殖",
    "农机",
    "油茶",
    "柑橘",
    "水产养殖",
    "中药材",
    "土鸡养殖",
    "黄桃种植",
    "蔬菜产销",
]
ASSOCIATIONS = [
    (
        "协会",
        [
            "青少年围棋",
            "个体劳动者",
            "老年人体育",
            "书法",
            "摄影",
            "商会联谊",
            "钓鱼",
            "诗词",
            "楹联",
            "养蜂",
            "民间文艺",
            "武术",
            "篮球",
            "象棋",
            "太极拳",
            "油茶产业",
            "家政服务",
            "餐饮行业",
        ],
    ),
    ("研究会", ["地方文化", "农村经济", "历史文化", "教育学"]),
    ("联合会", ["个体私营经济", "民间艺术", "乡村旅游"]),
]
NONPROFITS = [
    "居家养老服务中心",
    "艺术培训学校",
    "幼儿园",
    "社会工作服务中心",
    "职业技能培训学校",
    "康复中心",
    "青少年活动中心",
    "社区服务中心",
    "托育中心",
]
SCHOOLS = [  # invented: code, name, kind
    ("10542", "湖南潇湘师范学院"),
    ("11273", "湘江理工大学"),
    ("12845", "长沙星城科技职业学院"),
    ("14127", "湘南工业职业技术学院"),
    ("10531", "湖南岳麓大学"),
    ("10537", "湖南农耕大学"),
    ("10546", "衡岳学院"),
    ("10548", "湘中师范学院"),
    ("11342", "湖南商务职业学院"),
    ("12304", "湘北交通职业技术学院"),
    ("12658", "湖南医药健康职业学院"),
    ("13809", "湘西民族职业技术学院"),
    ("10553", "湘楚医学院"),
    ("11528", "湖南信息工程学院"),
]
OTHER_DOCS = [
    "道路运输经营许可证",
    "护士执业证书",
    "教师资格证书",
    "医师执业证书",
    "食品经营许可证",
    "退役军人优待证",
    "残疾人证",
    "律师执业证",
    "建筑施工特种作业操作资格证",
    "船舶所有权登记证书",
]
WITHDRAW_REASONS = [
    "声明人于{d}寻回原证件，申请撤回本声明，原证件继续有效。",
    "经核实，本声明登载的证件号码有误，已另行登报更正，本声明撤回。",
]
DEREG_WITHDRAW = "经{by}重新决议，本单位继续存续，撤回本注销公告。"

# Document types of lost notices, with weights.
DOC_TYPES = [
    ("身份证", 26),
    ("户口簿", 5),
    ("毕业证书", 12),
    ("学位证书", 6),
    ("不动产权证书", 10),
    ("营业执照", 12),
    ("公章", 7),
    ("驾驶证", 8),
    ("出生医学证明", 7),
    ("其他", 7),
]
DOC_SLUG = {
    "身份证": "shenfenzheng",
    "户口簿": "hukoubu",
    "毕业证书": "biyezhengshu",
    "学位证书": "xueweizhengshu",
    "不动产权证书": "budongchan",
    "营业执照": "yingyezhizhao",
    "公章": "gongzhang",
    "驾驶证": "jiashizheng",
    "出生医学证明": "chusheng",
    "其他": "qita",
}

MOBILE_PREFIXES = [f"13{d}" for d in range(10)] + [
    "145",
    "147",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "170",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "193",
    "195",
    "196",
    "198",
    "199",
]

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十, 十一, 二十, 二十一)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def q(text: str) -> str:
    """A double-quoted YAML scalar (our strings never hold a quote or a backslash)."""
    return '"' + text + '"'


# ----------------------------------------------------------------------------- the generator


class Province:
    def __init__(self, scale: float, seed: int, today: dt.date):
        self.scale = scale
        self.today = today
        self.county_offices: dict[str, tuple[str, str]] = {}  # a county's notary and legal aid: name → (phone, address)
        self.r = random.Random(seed)
        # The legal additions (new service kinds, guides) draw from their own generator, so the
        # rest of the data (and the search queries derived from it) stays what it was.
        self.legal_r = random.Random(seed + 12)
        self.phones: set[str] = set()
        self.ids: set[str] = set()
        self.credit_codes: set[str] = set()
        self.numbers: set[tuple[str, str]] = set()
        self.county_slugs: set[str] = set()
        self.counts: dict[str, int] = dict.fromkeys(
            (
                "cities",
                "counties",
                "towns",
                "urban_towns",
                "villages",
                "communities",
                "grids",
                "grid_leaders",
                "grid_workers",
                "buildings",
                "judges",
                "legal_services",
                "lost",
                "deregistration",
                "guides",
                "files",
                "bytes",
            ),
            0,
        )
        self.cities: list[dict] = []
        self.towns: list[dict] = []  # flat list, in regions.yaml order
        self.counties: list[dict] = []

    # ------------------------------------------------------------------ small helpers

    def person_name(self, female: bool | None = None) -> str:
        r = self.r
        if female is None:
            female = r.random() < 0.5
        chars = FEMALE_CHARS if female else MALE_CHARS
        given = r.choice(chars) if r.random() < 0.25 else r.choice(chars) + r.choice(chars)
        return r.choice(SURNAME_POOL) + given

    def mobile(self) -> str:
        r, phones = self.r, self.phones
        while True:
            number = f"{r.choice(MOBILE_PREFIXES)}{r.randrange(10**8):08d}"
            if number not in phones:
                phones.add(number)
                return number

    def landline(self, area: str) -> str:
        r, phones = self.r, self.phones
        digits = 8 if area == "0731" else 7
        while True:
            local = str(r.randint(2, 8)) + f"{r.randrange(10 ** (digits - 1)):0{digits - 1}d}"
            number = f"{area}-{local}"
            if number not in phones:
                phones.add(number)
                return number

    def place_stem(self, taken: set[str], three_ok: bool = True) -> tuple[str, str]:
        """An invented 2- (or 3-) character stem whose pinyin is not in `taken`; adds it."""
        r = self.r
        for _ in range(10000):
            a = r.choice(FIRST)
            b = r.choice(SECOND)
            if a[0] == b[0]:
                continue
            if three_ok and r.random() < 0.12:
                c = r.choice(SECOND)
                if c[0] in (a[0], b[0]):
                    continue
                stem, slug = a[0] + b[0] + c[0], a[1] + b[1] + c[1]
            else:
                stem, slug = a[0] + b[0], a[1] + b[1]
            if slug not in taken:
                taken.add(slug)
                return stem, slug
        raise RuntimeError("ran out of place names")

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.r.randint(0, (end - start).days))

    def id_number(self, region6: str, female: bool, born_from: int = 1945, born_to: int = 2004) -> str:
        r = self.r
        while True:
            born = dt.date(born_from, 1, 1) + dt.timedelta(
                days=r.randint(0, (dt.date(born_to, 12, 31) - dt.date(born_from, 1, 1)).days)
            )
            born = min(born, self.today)
            seq = r.randrange(0, 500) * 2 + (0 if female else 1)
            first17 = f"{region6}{born:%Y%m%d}{seq:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def credit_code(self, prefix2: str, region6: str) -> str:
        r = self.r
        while True:
            body = ("MJ" if prefix2[0] == "5" else "MA") + "".join(r.choice(ORG_BODY_ALPHABET) for _ in range(6))
            first17 = prefix2 + region6 + body + org_check(body)
            code = first17 + credit_check(first17)
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def unique_number(self, kind: str, make) -> str:
        while True:
            number = make()
            if (kind, number) not in self.numbers:
                self.numbers.add((kind, number))
                return number

    # ------------------------------------------------------------------ regions

    def build_regions(self) -> None:
        r = self.r
        n_counties = max(len(CITIES), round(BASE_COUNTIES * self.scale))
        n_towns = max(n_counties, round(BASE_TOWNS * self.scale))
        per_city = largest_remainder([c[3] for c in CITIES], n_counties, minimum=1)
        for (name, code, area, _real_counties, short), n in zip(CITIES, per_city):
            city = {"name": name, "code": code, "area": area, "short": short, "counties": []}
            n_districts = round(n * 0.3) if name != "湘西土家族苗族自治州" else 0
            n_cities = round(n * 0.15)
            kinds = ["区"] * n_districts + ["市"] * n_cities + ["县"] * (n - n_districts - n_cities)
            next_code = {"区": 2, "县": 21, "市": 81}
            if name == "湘西土家族苗族自治州":
                next_code["市"] = 1  # 吉首市 is 433101
            for kind in kinds:
                stem, slug = self.place_stem(self.county_slugs, three_ok=False)
                county_code = code[:4] + f"{next_code[kind]:02d}"
                next_code[kind] += 1
                county = {
                    "name": stem + kind,
                    "stem": stem,
                    "kind": kind,
                    "slug": slug,
                    "code": county_code,
                    "city": city,
                    "path": f"{name}/{stem}{kind}",
                    "towns": [],
                }
                # a district's offices carry the city's name: 长沙市芙蓉区人民法院
                county["full"] = (name + county["name"]) if kind == "区" else county["name"]
                city["counties"].append(county)
                self.counties.append(county)
            self.cities.append(city)

        # towns per county: at least one each, the rest spread by random weights
        weights = [r.uniform(0.5, 1.5) for _ in self.counties]
        per_county = largest_remainder(weights, n_towns, minimum=1)
        # which towns are urban streets (街道): a fifth, drawn with weights favouring districts
        slots = [(county, i) for county, n in zip(self.counties, per_county) for i in range(n)]
        n_urban = round(len(slots) * URBAN_SHARE)
        weight_of = {"区": 8.0, "市": 2.0, "县": 1.0}
        keyed = sorted(range(len(slots)), key=lambda k: -(r.random() ** (1.0 / weight_of[slots[k][0]["kind"]])))
        urban = set(keyed[:n_urban])
        index = 0
        for county, n in zip(self.counties, per_county):
            taken: set[str] = set()
            codes = {"街道": 1, "镇": 100, "乡": 200}
            town_flags = [index + i in urban for i in range(n)]
            index += n
            # streets first, as in the official lists
            for is_urban in sorted(town_flags, reverse=True):
                if is_urban:
                    suffix = "街道"
                elif county["kind"] == "县" and r.random() < 0.2:
                    suffix = "乡"
                else:
                    suffix = "镇"
                stem, slug = self.place_stem(taken)
                town_code = f"{county['code']}{codes[suffix]:03d}000"
                codes[suffix] += 1
                town = {
                    "name": stem + suffix,
                    "stem": stem,
                    "slug": slug,
                    "code": town_code,
                    "urban": is_urban,
                    "county": county,
                    "city": county["city"],
                    "path": f"{county['path']}/{stem}{suffix}",
                }
                self.villages_of(town)
                county["towns"].append(town)
                self.towns.append(town)

        self.counts["cities"] = len(self.cities)
        self.counts["counties"] = len(self.counties)
        self.counts["towns"] = len(self.towns)
        self.counts["urban_towns"] = sum(t["urban"] for t in self.towns)

    def villages_of(self, town: dict) -> None:
        r = self.r
        n = r.randint(*VILLAGES_PER_TOWN)
        taken: set[str] = set()
        villages = []
        prefix = town["code"][:9]
        community_no, village_no = 1, 200
        if town["urban"]:
            for i in range(n):
                if i == 0 and r.random() < 0.5:
                    stem, slug = town["stem"], town["slug"]
                    taken.add(slug)
                else:
                    stem, slug = self.place_stem(taken)
                villages.append(
                    {"name": stem + "社区", "stem": stem, "community": True, "code": f"{prefix}{community_no:03d}"}
                )
                community_no += 1
        else:
            # the seat of the town is a community named after it; one in three towns has a second
            taken.add(town["slug"])
            villages.append(
                {
                    "name": town["stem"] + "社区",
                    "stem": town["stem"],
                    "community": True,
                    "code": f"{prefix}{community_no:03d}",
                }
            )
            community_no += 1
            extra_community = r.random() < 0.33
            for i in range(n - 1):
                stem, slug = self.place_stem(taken)
                if extra_community and i == 0:
                    villages.append(
                        {"name": stem + "社区", "stem": stem, "community": True, "code": f"{prefix}{community_no:03d}"}
                    )
                    community_no += 1
                else:
                    villages.append(
                        {"name": stem + "村", "stem": stem, "community": False, "code": f"{prefix}{village_no:03d}"}
                    )
                    village_no += 1
        town["villages"] = villages
        self.counts["villages"] += sum(not v["community"] for v in villages)
        self.counts["communities"] += sum(v["community"] for v in villages)

    def regions_yaml(self) -> str:
        out = [
            "# 行政区划（bench/province.py 生成的虚构数据）：市名和市级代码是真实的，",
            "# 县、镇（街道）、村（社区）的名称和代码都是虚构的。",
            "",
        ]
        add = out.append
        for city in self.cities:
            add(f"- name: {city['name']}")
            add(f"  code: {q(city['code'])}")
            add("  children:")
            for county in city["counties"]:
                add(f"    - name: {county['name']}")
                add(f"      code: {q(county['code'])}")
                add("      children:")
                for town in county["towns"]:
                    add(f"        - name: {town['name']}")
                    add(f"          code: {q(town['code'])}")
                    add("          children:")
                    for v in town["villages"]:
                        add(f"            - {{name: {v['name']}, code: {q(v['code'])}}}")
        return "\n".join(out) + "\n"

    # ------------------------------------------------------------------ towns

    def town_yaml(self, town: dict) -> str:
        r = self.r
        county, city = town["county"], town["city"]
        area = city["area"]
        seat = town["villages"][0]
        out = [
            f"# {town['name']}网格化管理与法律服务通讯录（bench/province.py 生成的虚构数据）",
            f"town: {town['path']}",
            # within the last 11 months: a real county keeps its lists fresh (town-stale warns at 12)
            f"updated: {self.date_between(self.today - dt.timedelta(days=330), self.today).isoformat()}",
        ]
        add = out.append
        address = f"{county['name']}{town['name']}{seat['name']}{r.choice(ROADS)}{r.randint(1, 300)}号"
        add(f"office: {{name: {town['name']}综治中心, phone: {q(self.landline(area))}, address: {address}}}")
        add("judges:")
        court = county["full"] + "人民法院"
        for _ in range(r.randint(1, 2)):
            phone = self.mobile() if r.random() < 0.6 else self.landline(area)
            add(
                f"  - {{name: {self.person_name()}, court: {court}, title: {r.choice(JUDGE_TITLES)}, phone: {q(phone)}}}"
            )
            self.counts["judges"] += 1
        add("legal_services:")
        services = [
            ("judicial-office", f"{county['stem']}{county['kind']}{town['stem']}司法所", self.landline(area), address),
            (
                "notary",
                f"湖南省{county['full']}公证处",
                self.landline(area),
                f"{county['name']}{r.choice(ROADS)}{r.randint(1, 300)}号",
            ),
            (
                "legal-aid",
                f"{county['full']}法律援助中心",
                self.landline(area),
                f"{county['name']}公共法律服务中心一楼",
            ),
        ]
        if r.random() < 0.7:
            firm = f"湖南{county['stem']}{r.choice(LAW_FIRM_WORDS)}律师事务所"
            services.append(("lawyer", f"{self.person_name()}律师（{firm}）", self.mobile(), address))
        for kind, name, phone, addr in services:
            if kind in ("notary", "legal-aid"):  # one county office: the same number and address in every town
                phone, addr = self.county_offices.setdefault(name, (phone, addr))
            add(f"  - {{kind: {kind}, name: {name}, phone: {q(phone)}, address: {addr}}}")
        self.counts["legal_services"] += len(services)
        out.extend(self.town_legal_services(town, county, area, address))

        add("grids:")
        villages = town["villages"]
        n_grids = max(len(villages), r.randint(*GRIDS_PER_TOWN))
        per_village = [1] * len(villages)
        for _ in range(n_grids - len(villages)):
            per_village[r.randrange(len(villages))] += 1
        width = 2 if n_grids < 100 else 3
        grid_no = 0
        for village, k in zip(villages, per_village):
            if village["community"]:
                units = self._community_units(village, k, town["urban"])
            else:
                groups = r.randint(max(k, 6), max(k, 6) + 12)
                units = [(part, []) for part in split([f"{village['name']}{g}组" for g in range(1, groups + 1)], k)]
            for j in range(k):
                grid_no += 1
                grid_name = f"{village['name']}第{cn_number(j + 1)}网格" if k > 1 else f"{village['name']}网格"
                add(f"  - id: {q(f'{grid_no:0{width}d}')}")
                add(f"    name: {grid_name}")
                add(f"    village: {village['name']}")
                covers, buildings = units[j]
                add(f"    covers: [{', '.join(covers)}]")
                add(f"    leader: {{name: {self.person_name()}, phone: {q(self.mobile())}}}")
                add("    workers:")
                for _ in range(WORKERS_PER_GRID):
                    duties = ", ".join(r.sample(DUTIES, r.randint(2, 3)))
                    add(f"      - {{name: {self.person_name()}, phone: {q(self.mobile())}, duties: [{duties}]}}")
                if buildings:
                    add("    buildings:")
                    for b in buildings:
                        add(f"      - {{name: {b}, leader: {{name: {self.person_name()}, phone: {q(self.mobile())}}}}}")
                    self.counts["buildings"] += len(buildings)
                if r.random() < 0.4:
                    add(f"    wechat_group: {{name: {grid_name}群众服务群}}")
                self.counts["grids"] += 1
                self.counts["grid_leaders"] += 1
                self.counts["grid_workers"] += WORKERS_PER_GRID
        return "\n".join(out) + "\n"

    @contextlib.contextmanager
    def legal_draws(self):
        """Draw from the legal generator for a while (see __init__)."""
        main, self.r = self.r, self.legal_r
        try:
            yield
        finally:
            self.r = main

    def town_legal_services(self, town: dict, county: dict, area: str, address: str) -> list[str]:
        """人民法庭 (one town in three), 公共法律服务工作站, the town's 人民调解委员会, and for every village
        its 人民调解委员会 and 村（居）法律顾问 (一村（社区）一法律顾问)."""
        with self.legal_draws():
            r = self.r
            lines = []
            if r.random() < 0.35:
                lines.append(
                    f"  - {{kind: tribunal, name: {county['full']}人民法院{town['stem']}人民法庭, phone: {q(self.landline(area))}, "
                    f"address: {address}, hours: 周一至周五 8:30-12:00 14:30-17:30}}"
                )
            lines.append(
                f"  - {{kind: legal-service-center, name: {town['name']}公共法律服务工作站, phone: {q(self.landline(area))}, address: {address}}}"
            )
            lines.append(
                f"  - {{kind: mediation, name: {town['name']}人民调解委员会, phone: {q(self.landline(area))}}}"
            )
            for village in town["villages"]:
                lines.append(
                    f"  - {{kind: mediation, name: {village['name']}人民调解委员会, village: {village['name']}, phone: {q(self.mobile())}}}"
                )
                firm = f"湖南{county['stem']}{r.choice(LAW_FIRM_WORDS)}律师事务所"
                lines.append(
                    f"  - {{kind: adviser, name: {self.person_name()}, village: {village['name']}, firm: {firm}, phone: {q(self.mobile())}}}"
                )
            self.counts["legal_services"] += len(lines)
            return lines

    def guides(self):
        """A guide for each county (its own 宅基地 or 人民调解 page, say), and legal.yaml with a local
        hotline for one county in ten."""
        with self.legal_draws():
            r = self.r
            places = []
            for county in self.counties:
                category, law, article = r.choice(GUIDE_TOPICS)
                text = (
                    f"---\ntitle: {county['name']}{category}常见问题\ncategory: {category}\n"
                    f"questions: [{category}怎么办, {county['name']}{category}找谁]\n"
                    f"legal_basis:\n  - {{law: {law}, article: {article}}}\n"
                    f"applies_to: [{county['path']}]\nreviewed_by: {county['name']}司法局\n"
                    f"reviewed_on: {(self.today - dt.timedelta(days=r.randint(10, 600))).isoformat()}\nsample: true\n---\n"
                    f"## 先找谁\n\n先找村人民调解委员会或网格员，也可以拨打 12348。\n\n## 注意\n\n保留好证据。\n"
                )
                self.counts["guides"] += 1
                yield f"guides/{county['slug']}.md", text
                if r.random() < 0.1:
                    places.append(
                        f"  - place: {county['path']}\n    hotlines:\n"
                        f"      - {{name: {county['name']}公共法律服务中心, phone: {q(self.landline(county['city']['area']))}}}"
                    )
            yield (
                "legal.yaml",
                "review_months: 24\nplaces:\n" + "\n".join(places) + "\n" if places else "review_months: 24\n",
            )

    def _community_units(self, village: dict, k: int, urban: bool) -> list[tuple[list[str], list[str]]]:
        """(covers, buildings) for each of the k grids of a community."""
        r = self.r
        if not urban:
            streets = r.sample(STREET_NAMES, min(len(STREET_NAMES), max(k, r.randint(2, 6))))
            return [([f"{village['name']}{s}" for s in part], []) for part in split(streets, k)]
        units = []
        compound, left, number = None, 0, 0
        compounds_used: set[str] = set()
        for _ in range(k):
            buildings = []
            for _ in range(r.randint(*BUILDINGS_PER_URBAN_GRID)):
                if left == 0:
                    while True:
                        stem = (
                            village["stem"]
                            if not compounds_used and r.random() < 0.5
                            else self.place_stem(set(), False)[0]
                        )
                        compound = stem + r.choice(COMPOUND_SUFFIXES)
                        if compound not in compounds_used:
                            compounds_used.add(compound)
                            break
                    left, number = r.randint(6, 30), 0
                number += 1
                left -= 1
                buildings.append(f"{compound}{number}栋")
            units.append((buildings, buildings))
        return units

    # ------------------------------------------------------------------ notices

    def window(self) -> tuple[dt.date, dt.date]:
        start = dt.date(FIRST_YEAR, 1, 1)
        end = min(dt.date(LAST_YEAR, 12, 31), self.today)
        if end < start:
            raise SystemExit(f"--today {self.today} is before {start}: no room for notices")
        return start, end

    def lost_notices(self):
        """Yield (relative path, text) for every lost-document notice."""
        r = self.r
        n = round(BASE_LOST * self.scale)
        start, end = self.window()
        types = [t for t, w in DOC_TYPES for _ in range(w)]
        for seq in range(1, n + 1):
            published = self.date_between(start, end)
            kind = r.choice(types)
            town = r.choice(self.towns)
            county, city = town["county"], town["city"]
            female = r.random() < 0.5
            holder = self.person_name(female)
            issuer = None
            name = None
            statement = None
            legal_basis = None
            number = None
            reissued = None
            if kind == "身份证":
                number = self.id_number(county["code"], female)
                issuer = (
                    f"{city['name']}公安局{county['stem']}分局" if county["kind"] == "区" else f"{county['name']}公安局"
                )
                reissued = r.random() < 0.6
            elif kind == "户口簿":
                number = self.unique_number(kind, lambda: f"{r.randrange(10**9):09d}")
                issuer = f"{county['full']}公安局{town['stem']}派出所"
            elif kind in ("毕业证书", "学位证书"):
                code, school = r.choice(SCHOOLS)
                year = r.randint(1995, min(published.year, 2025))
                if kind == "毕业证书":
                    if r.random() < 0.2:  # a county high school: county code + year + serial
                        school = f"{county['full']}第{cn_number(r.randint(1, 6))}中学"
                        number = self.unique_number(kind, lambda: f"{county['code']}{year}{r.randrange(10**5):05d}")
                    else:
                        level = r.choice("156")
                        number = self.unique_number(kind, lambda: f"{code}{level}{year}06{r.randrange(10**6):06d}")
                else:
                    level = r.choice("4432")
                    number = self.unique_number(kind, lambda: f"{code}{level}{year}{r.randrange(10**6):06d}")
                issuer = school
            elif kind == "不动产权证书":
                if r.random() < 0.2:
                    number = self.unique_number(kind, lambda: f"{r.randrange(10**11):011d}")
                else:
                    year = r.randint(2015, published.year)
                    number = self.unique_number(
                        kind, lambda: f"湘（{year}）{county['name']}不动产权第{r.randrange(1, 10**7):07d}号"
                    )
                issuer = f"{county['full']}自然资源局"
                legal_basis = "《不动产登记暂行条例实施细则》第二十二条"
            elif kind == "营业执照":
                shop = r.random() < 0.5
                if shop:
                    holder = f"{county['name']}{town['name']}{r.choice(SHOP_WORDS)}{r.choice(SHOP_KINDS)}"
                    number = self.credit_code("92", county["code"])
                else:
                    holder = f"{county['name']}{r.choice(SHOP_WORDS)}{r.choice(TRADES)}有限公司"
                    number = self.credit_code("91", county["code"])
                self.numbers.add((kind, number))
                issuer = f"{county['full']}市场监督管理局"
                part = r.choice(["正本", "副本", "正本、副本各一份"])
                statement = f"{holder}不慎遗失营业执照{part}，声明作废。"
            elif kind == "公章":
                village = r.choice(town["villages"])
                holder = (
                    (
                        f"{county['name']}{town['name']}{village['stem']}"
                        f"{'社区居民委员会' if village['community'] else '村民委员会'}"
                    )
                    if r.random() < 0.5
                    else f"{county['name']}{r.choice(SHOP_WORDS)}{r.choice(TRADES)}有限公司"
                )
                issuer = f"{county['full']}公安局"
                if r.random() < 0.8:
                    number = self.unique_number(kind, lambda: f"{county['code']}{r.randrange(10**7):07d}")
                    statement = (
                        f"{holder}遗失公章一枚（印章编码{number}），自登报之日起该公章作废，"
                        "以该公章签订的任何文书均与本单位无关。"
                    )
                else:
                    statement = f"{holder}遗失公章一枚，自登报之日起该公章作废。"
            elif kind == "驾驶证":
                number = self.unique_number(kind, lambda: f"{city['code'][:4]}00{r.randrange(10**6):06d}")
                issuer = f"{city['name']}公安局交通警察支队"
                reissued = r.random() < 0.7
            elif kind == "出生医学证明":
                number = self.unique_number(
                    kind, lambda: f"{chr(ord('A') + r.randrange(26))}{city['code'][:2]}{r.randrange(10**7):07d}"
                )
                issuer = f"{county['full']}妇幼保健院"
                other = self.person_name(not female)
                born = published - dt.timedelta(days=r.randint(20, 400))
                child = r.choice("子女")
                parents = f"{other}、{holder}" if female else f"{holder}、{other}"
                statement = f"{parents}之{child}（{born.year}年{born.month}月{born.day}日出生）的出生医学证明不慎遗失，声明作废。"
            else:  # 其他
                name = r.choice(OTHER_DOCS)
                if name == "道路运输经营许可证":
                    holder = f"{county['name']}{r.choice(SHOP_WORDS)}货运有限公司"
                    number = self.unique_number(
                        kind, lambda: f"湘交运管许可{city['short']}字{county['code']}{r.randrange(10**6):06d}号"
                    )
                    issuer = f"{county['full']}交通运输局"
                elif name == "残疾人证":
                    number = self.unique_number(
                        kind, lambda: self.id_number(county["code"], female) + f"{r.randint(1, 7)}{r.randint(1, 4)}"
                    )
                    issuer = f"{county['full']}残疾人联合会"
                else:
                    number = self.unique_number(
                        kind, lambda: f"湘{r.randint(2005, published.year)}{county['code']}{r.randrange(10**5):05d}"
                    )
                    issuer = f"{city['name']}有关主管部门"
                # a 残疾人证 number is the holder's ID number and two digits: the statement never repeats it (privacy rule)
                shown = "" if name == "残疾人证" else f"（编号{number}）"
                statement = f"{holder}遗失{name}一本{shown}，声明作废。"

            lines = ["kind: lost-document", f"published: {published.isoformat()}", f"holder: {holder}"]
            add = lines.append
            if r.random() < 0.65:
                add(f"region: {town['path'] if r.random() < 0.6 else county['path']}")
            add("document:")
            add(f"  type: {kind}")
            if name:
                add(f"  name: {name}")
            if number is not None:
                add(f"  number: {q(number)}")
            if issuer:
                add(f"  issuer: {issuer}")
            if r.random() < 0.7:
                add(f"lost_on: {(published - dt.timedelta(days=r.randint(0, 30))).isoformat()}")
            if reissued is None and r.random() < 0.3:
                reissued = r.random() < 0.5
            if reissued is not None:
                add(f"reissued: {'true' if reissued else 'false'}")
            if statement:
                add(f"statement: {q(statement)}")
            if legal_basis:
                add(f"legal_basis: {q(legal_basis)}")
            if r.random() < 0.005:
                when = min(published + dt.timedelta(days=r.randint(2, 30)), self.today)
                reason = r.choice(WITHDRAW_REASONS).format(d=f"{when.year}年{when.month}月{when.day}日")
                add("status: withdrawn")
                add(f"withdrawn_reason: {q(reason)}")
            path = f"lost/{published.year}/{published.isoformat()}-{DOC_SLUG[kind]}-{seq:05d}.yaml"
            self.counts["lost"] += 1
            yield path, "\n".join(lines) + "\n"

    def deregistrations(self):
        r = self.r
        n = round(BASE_DEREG * self.scale)
        start, end = self.window()
        for seq in range(1, n + 1):
            published = self.date_between(start, end)
            town = r.choice(self.towns)
            county, city = town["county"], town["city"]
            roll = r.random()
            if roll < 0.25:
                suffix, words = r.choice(ASSOCIATIONS)
                organization = f"{county['name']}{r.choice(words)}{suffix}"
                prefix, decided_by = "51", r.choice(["会员代表大会", "会员大会", "理事会"])
            elif roll < 0.45:
                organization = f"{county['name']}{town['name']}{r.choice(SHOP_WORDS)}{r.choice(NONPROFITS)}"
                prefix, decided_by = "52", r.choice(["理事会", "举办者会议"])
            elif roll < 0.65:
                village = r.choice(town["villages"])
                organization = f"{county['name']}{town['name']}{village['stem']}{r.choice(CO_OP_TRADES)}专业合作社"
                prefix, decided_by = "93", "成员大会"
            else:
                organization = f"{county['name']}{r.choice(SHOP_WORDS)}{r.choice(TRADES)}有限公司"
                prefix, decided_by = "91", r.choice(["股东会", "股东会", "股东", "执行董事"])
            code = self.credit_code(prefix, county["code"])
            decided_on = published - dt.timedelta(days=r.randint(0, 20))
            phone = self.mobile() if r.random() < 0.7 else self.landline(city["area"])
            lines = [
                "kind: deregistration",
                f"published: {published.isoformat()}",
                f"organization: {organization}",
                f"credit_code: {q(code)}",
            ]
            add = lines.append
            if r.random() < 0.6:
                add(f"region: {county['path'] if r.random() < 0.6 else town['path']}")
            add(f"decided_on: {decided_on.isoformat()}")
            add(f"decided_by: {decided_by}")
            if r.random() < 0.7:
                add(f"claim_days: {r.choice(['45', '45', '45', '60', '90'])}")
            add(f"contact: {{name: {self.person_name()}, phone: {q(phone)}}}")
            if r.random() < 0.01:
                add("status: withdrawn")
                add(f"withdrawn_reason: {q(DEREG_WITHDRAW.format(by=decided_by))}")
            path = f"deregistration/{published.year}/{published.isoformat()}-{county['slug']}-{seq:04d}.yaml"
            self.counts["deregistration"] += 1
            yield path, "\n".join(lines) + "\n"

    # ------------------------------------------------------------------ writing

    def write(self, notices: Path) -> None:
        made_dirs: set[str] = set()

        def put(rel: str, text: str) -> None:
            target = notices / rel
            parent = os.path.dirname(target)
            if parent not in made_dirs:
                os.makedirs(parent, exist_ok=True)
                made_dirs.add(parent)
            data = text.encode("utf-8")
            with open(target, "wb") as fh:
                fh.write(data)
            self.counts["files"] += 1
            self.counts["bytes"] += len(data)

        self.build_regions()
        put("regions.yaml", self.regions_yaml())
        for town in self.towns:
            put(f"contacts/{town['county']['slug']}/{town['slug']}.yaml", self.town_yaml(town))
        for rel, text in self.lost_notices():
            put(rel, text)
        for rel, text in self.deregistrations():
            put(rel, text)
        for rel, text in self.guides():
            put(rel, text)
        (notices / MARKER).write_text("generated by bench/province.py; safe to delete\n", encoding="utf-8")


def largest_remainder(weights: list[float], total: int, minimum: int = 0) -> list[int]:
    """Split `total` into integers proportional to `weights`, each at least `minimum`."""
    n = len(weights)
    base = [minimum] * n
    rest = total - minimum * n
    if rest < 0:
        raise ValueError("total is smaller than the minimum")
    s = sum(weights)
    shares = [w * rest / s for w in weights]
    floors = [int(x) for x in shares]
    left = rest - sum(floors)
    order = sorted(range(n), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [b + f for b, f in zip(base, floors)]


def split(items: list[str], k: int) -> list[list[str]]:
    """`items` cut into k consecutive, non-empty-when-possible parts."""
    n = len(items)
    bounds = [round(i * n / k) for i in range(k + 1)]
    return [items[bounds[i] : bounds[i + 1]] or items[-1:] for i in range(k)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate a province-scale test data set for the notice portal.")
    p.add_argument("--scale", type=float, default=1.0, help="0.01 … 1 (1 = 1,900 towns, 33,000 notices)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--out", type=Path, required=True, help="output folder; <out>/notices/ is (re)created")
    p.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=dt.date(2026, 11, 23),
        help="no generated date is after this day (default 2026-11-23)",
    )
    args = p.parse_args(argv)
    if not 0.01 <= args.scale <= 1:
        p.error("--scale must be between 0.01 and 1")

    notices = args.out / "notices"
    if notices.exists():
        if not (notices / MARKER).exists():
            p.error(f"{notices} exists and was not made by this script; refusing to overwrite it")
        shutil.rmtree(notices)
    notices.mkdir(parents=True)

    started = time.perf_counter()
    province = Province(args.scale, args.seed, args.today)
    province.write(notices)
    seconds = time.perf_counter() - started
    counts = dict(
        province.counts, scale=args.scale, seed=args.seed, today=args.today.isoformat(), seconds=round(seconds, 2)
    )
    (args.out / "province.json").write_text(json.dumps(counts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"{notices}: {counts['cities']} cities, {counts['counties']} counties, {counts['towns']} towns "
        f"({counts['urban_towns']} urban), {counts['villages']} villages + {counts['communities']} communities, "
        f"{counts['grids']} grids, {counts['buildings']} buildings, {counts['lost']} lost, "
        f"{counts['deregistration']} deregistration; {counts['files']} files, "
        f"{counts['bytes'] / 1e6:.1f} MB in {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
