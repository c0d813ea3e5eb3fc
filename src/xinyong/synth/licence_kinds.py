"""What each agency licenses, to whom, for how long, and how its numbers look.

Licences are matched to a subject's industry (a haulier holds a road transport licence, a
restaurant a food business licence and perhaps a public-place hygiene licence), and each kind
carries its certificate's real number format, because ingest and search see these numbers and a
plausible shape (JY1… for food business, D2… for construction qualifications) is part of
realistic test data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from xinyong.synth.agencies import DocumentNumbers
from xinyong.synth.subjects import ASSOCIATION, INSTITUTION, PRIVATE_NONPROFIT, Subject


@dataclass(frozen=True, slots=True)
class LicenceKind:
    """One kind of administrative licence an agency grants."""

    agency: str
    certificate: str  # 许可证书名称; empty where the decision itself is the licence
    category: str  # 许可类别: 普通, 特许, 认可, 核准, 登记, 其他
    title: str  # 行政许可决定文书名称
    contents: tuple[str, ...]  # 许可内容 alternatives
    years: int  # validity; 0 means open-ended (written 2099-12-31, as many exports do)
    industries: str  # GB/T 4754 section letters it is granted in; empty means any
    number: str  # licence number style, see records.licence_number
    doc: str  # the document-number code, e.g. 市监食许
    weight: float = 1.0
    excluded_kinds: frozenset[str] = frozenset()  # subject kinds that never hold it
    county_share: float = 0.6  # how often a county bureau (rather than the city) decides


_NOT_MARKET = frozenset({ASSOCIATION, PRIVATE_NONPROFIT, INSTITUTION})

LICENCE_KINDS: tuple[LicenceKind, ...] = (
    # -- market regulation ---------------------------------------------------------------------
    LicenceKind("samr", "营业执照", "登记", "准予设立登记通知书", ("设立登记",), 0, "", "uscc",
                "市监登", 3.0, _NOT_MARKET),
    LicenceKind("samr", "食品经营许可证", "普通", "食品经营许可决定书",
                ("预包装食品（含冷藏冷冻食品）销售",
                 "预包装食品（不含冷藏冷冻食品）销售，散装食品（不含冷藏冷冻食品）销售",
                 "热食类食品制售", "热食类食品制售，冷食类食品制售", "自制饮品制售",
                 "保健食品销售"), 5, "FH", "food_business", "市监食许", 6.0),
    LicenceKind("samr", "食品生产许可证", "普通", "食品生产许可决定书",
                ("糕点", "饮料", "方便食品", "调味品", "速冻食品"), 5, "C", "food_production",
                "市监食产许", 1.0, county_share=0.0),
    LicenceKind("samr", "药品经营许可证", "普通", "药品经营许可决定书",
                ("处方药、甲类非处方药、乙类非处方药：中成药、化学药制剂、抗生素制剂、生化药品",
                 "乙类非处方药：中成药、化学药制剂"), 5, "F", "drug", "市监药许", 0.6),
    LicenceKind("samr", "第三类医疗器械经营许可证", "普通", "医疗器械经营许可决定书",
                ("Ⅲ类：6815注射穿刺器械，6866医用高分子材料及制品",), 5, "F",
                "medical_device", "市监械许", 0.3, county_share=0.0),
    LicenceKind("samr", "工业产品生产许可证", "普通", "准予行政许可决定书",
                ("电线电缆", "危险化学品", "建筑用钢筋", "化肥"), 5, "C", "industrial_product",
                "市监工许", 0.5, county_share=0.0),
    # -- taxation ------------------------------------------------------------------------------
    LicenceKind("sta", "", "普通", "准予税务行政许可决定书",
                ("增值税专用发票（增值税税控系统）最高开票限额审批：最高开票限额十万元",
                 "增值税专用发票（增值税税控系统）最高开票限额审批：最高开票限额一万元",
                 "增值税专用发票（增值税税控系统）最高开票限额审批：最高开票限额一百万元"),
                0, "", "document", "税许", 2.0, _NOT_MARKET, county_share=0.9),
    # -- ecology and environment ---------------------------------------------------------------
    LicenceKind("mee", "排污许可证", "普通", "排污许可决定书",
                ("大气污染物：颗粒物、二氧化硫、氮氧化物", "水污染物：化学需氧量、氨氮、总磷",
                 "大气污染物：挥发性有机物；水污染物：化学需氧量"), 5, "CDBN", "pollutant",
                "环许", 3.0),
    LicenceKind("mee", "建设项目环境影响报告表的批复", "普通", "建设项目环境影响评价审批意见",
                ("年产5000吨塑料制品建设项目", "年产10万件金属结构件技术改造项目",
                 "污水处理站提标改造项目", "仓储物流中心建设项目"), 5, "CDEKN", "document",
                "环评批", 1.5),
    LicenceKind("mee", "危险废物经营许可证", "普通", "准予行政许可决定书",
                ("收集、贮存、利用HW08废矿物油与含矿物油废物", "收集、贮存HW49其他废物"),
                5, "N", "hazardous_waste", "环危许", 1.0, county_share=0.0),
    # -- emergency management ------------------------------------------------------------------
    LicenceKind("mem", "危险化学品经营许可证", "普通", "准予行政许可决定书",
                ("汽油、柴油（无储存）", "乙醇、油漆（无储存）", "液化石油气（带储存）"), 3, "FC",
                "hazchem", "应急许", 1.0),
    LicenceKind("mem", "安全生产许可证", "普通", "准予行政许可决定书",
                ("非煤矿山开采（建筑石料用灰岩）", "危险化学品生产"), 3, "BC",
                "safety_production", "应急许", 0.6, county_share=0.0),
    LicenceKind("mem", "烟花爆竹经营（零售）许可证", "普通", "准予行政许可决定书",
                ("烟花爆竹零售（C级、D级）",), 2, "F", "fireworks", "应急许", 0.3),
    # -- health --------------------------------------------------------------------------------
    LicenceKind("nhc", "公共场所卫生许可证", "普通", "公共场所卫生许可决定书",
                ("住宿", "美容店", "理发店", "沐浴场所", "游泳场所"), 4, "HOR", "public_place",
                "卫公许", 2.0),
    LicenceKind("nhc", "医疗机构执业许可证", "普通", "准予行政许可决定书",
                ("内科；外科；中医科", "口腔科", "医学检验科；医学影像科", "医疗美容科"), 5, "Q",
                "medical_institution", "卫医许", 2.0),
    LicenceKind("nhc", "放射诊疗许可证", "普通", "准予行政许可决定书",
                ("X射线影像诊断", "口腔X射线诊断"), 5, "Q", "radiation", "卫放许", 0.5),
    LicenceKind("nhc", "消毒产品生产企业卫生许可证", "普通", "准予行政许可决定书",
                ("卫生用品（湿巾）", "消毒剂（乙醇消毒液）"), 4, "C", "disinfection", "卫消许",
                0.2, county_share=0.0),
    # -- housing and construction --------------------------------------------------------------
    LicenceKind("mohurd", "建筑业企业资质证书", "认可", "准予行政许可决定书",
                ("建筑工程施工总承包三级", "市政公用工程施工总承包二级",
                 "建筑装修装饰工程专业承包二级", "施工劳务不分等级", "地基基础工程专业承包三级"),
                5, "E", "construction_qualification", "建许", 3.0, county_share=0.0),
    LicenceKind("mohurd", "安全生产许可证", "普通", "准予行政许可决定书", ("建筑施工",), 3, "E",
                "construction_safety", "建安许", 1.5, county_share=0.0),
    LicenceKind("mohurd", "建筑工程施工许可证", "普通", "建筑工程施工许可决定书",
                ("住宅楼新建工程", "厂房新建工程", "办公楼装修工程", "道路改造工程"), 1, "EK",
                "construction_permit", "建施许", 1.5),
    LicenceKind("mohurd", "商品房预售许可证", "普通", "准予行政许可决定书",
                ("1号楼住宅120套", "3号楼住宅96套、商业用房8套", "5号楼住宅144套"), 0, "K",
                "presale", "房预许", 1.0, county_share=0.3),
    LicenceKind("mohurd", "房地产开发企业资质证书", "认可", "准予行政许可决定书",
                ("房地产开发企业二级资质",), 3, "K", "real_estate_qualification", "房资许", 0.6,
                county_share=0.0),
    # -- transport -----------------------------------------------------------------------------
    LicenceKind("mot", "道路运输经营许可证", "普通", "道路运输经营行政许可决定书",
                ("道路普通货物运输", "道路旅客运输（县内班车客运）",
                 "道路危险货物运输（2类1项，3类）",
                 "货物专用运输（集装箱）"), 4, "G", "road_transport", "交许", 4.0),
    LicenceKind("mot", "网络预约出租汽车经营许可证", "特许", "准予行政许可决定书",
                ("网络预约出租汽车经营",), 4, "GI", "ride_hailing", "交许", 0.3,
                county_share=0.0),
)  # fmt: skip


def licence_number(
    kind: LicenceKind,
    subject: Subject,
    decided: date,
    document: str,
    rng: random.Random,
    numbers: DocumentNumbers,
) -> str:
    """A licence number in the real format of its certificate."""
    style = kind.number
    region, year = subject.region, decided.year
    prov, city = region.province.abbr, region.city_abbr
    local = prov if region.province.municipality else prov + city  # 浙杭, but 京 alone

    def seq(scope: str, width: int) -> str:
        return f"{numbers.next(rng, kind.agency, style, scope, 0):0{width}d}"

    if style == "uscc":
        return subject.uscc
    if style == "document":
        return document
    if style == "food_business":
        business = "2" if subject.industry.letter == "H" else "1"  # catering, else retail
        body = f"{business}{region.code}{seq(region.code, 6)}"
        return f"JY{body}{_mod10(body)}"
    if style == "food_production":
        category = rng.choice(("101", "106", "111", "124", "110"))  # food category codes
        body = f"{category}{region.code}{seq(region.code, 4)}"
        return f"SC{body}{_mod10(body)}"
    if style == "drug":
        return f"{prov}CB{region.code[2:4]}{seq(prov, 5)}"
    if style == "medical_device":
        return f"{local}食药监械经营许{year}{seq(local + str(year), 4)}号"
    if style == "industrial_product":
        return f"（{prov}）XK{rng.randrange(1, 30):02d}-{rng.randrange(1, 20):03d}-{seq(prov, 5)}"
    if style == "pollutant":
        return f"{subject.uscc}{seq(subject.uscc, 3)}{rng.choice('PPPV')}"
    if style == "hazardous_waste":
        return f"{region.city_code}{seq(region.city_code, 4)}"
    if style == "hazchem":
        return f"{local}安经字〔{year}〕{seq(local + str(year), 6)}"
    if style == "safety_production":
        return f"（{prov}）FM安许证字〔{year}〕{seq(prov + str(year), 4)}"
    if style == "fireworks":
        return f"（{prov}）YH经许证字〔{year}〕{seq(prov + str(year), 6)}"
    if style == "public_place":
        return f"{local}卫公证字〔{year}〕第{region.code}{seq(region.code, 6)}号"
    if style == "medical_institution":
        return f"PDY{rng.randrange(100000):05d}{region.code}{seq(region.code, 4)}A1001"
    if style == "radiation":
        return f"{local}卫放证字〔{year}〕第{seq(local + str(year), 4)}号"
    if style == "disinfection":
        return f"{prov}卫消证字〔{year}〕第{seq(prov + str(year), 4)}号"
    if style == "construction_qualification":
        return f"D{rng.choice('23')}{region.province.code}{seq(region.province.code, 6)}"
    if style == "construction_safety":
        return f"（{prov}）JZ安许证字〔{year}〕{seq(prov + str(year), 6)}"
    if style == "construction_permit":
        return f"{region.code}{decided:%Y%m%d}{seq(region.code + decided.isoformat(), 2)}01"
    if style == "presale":
        return f"{city}售许字（{year}）第{seq(city + str(year), 6)}号"
    if style == "real_estate_qualification":
        return f"{prov}房开{seq(prov, 5)}"
    if style == "road_transport":
        return f"{prov}交运管许可{city}字{region.code}{seq(region.code, 6)}号"
    if style == "ride_hailing":
        return f"{local}网约车〔{year}〕{seq(local + str(year), 4)}号"
    raise ValueError(f"unknown licence number style {style!r}")


def _mod10(digits: str) -> int:
    """A simple mod-10 check digit for the food licence numbers (weights 1,3 alternating)."""
    return (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
