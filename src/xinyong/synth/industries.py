"""Industries (GB/T 4754-2017 sections) and the words that put them into names.

The weights follow the rough make-up of China's enterprise population: wholesale and retail first,
leasing and business services second, then manufacturing, technical services, IT and construction;
mining, finance and public administration are rare. Industry also decides which agencies tend to
license and penalise a subject (``records``), so a construction firm meets the housing bureau and a
haulier the transport bureau.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from xinyong.synth.weighted import Weighted


@dataclass(frozen=True, slots=True)
class Industry:
    """A GB/T 4754 section and the words that name businesses in it."""

    letter: str
    name: str
    company_weight: float  # share among companies; 0 means never a company's main line
    words: tuple[tuple[str, str], ...]  # (Chinese word in a company name, English rendering)
    shop_words: tuple[str, ...]  # how an individual business (个体工商户) in it calls itself


INDUSTRIES: tuple[Industry, ...] = (
    Industry("A", "农、林、牧、渔业", 3.5,
             (("农业科技", "Agricultural Technology"), ("生态农业", "Ecological Agriculture"),
              ("农业发展", "Agricultural Development"), ("种植", "Planting"),
              ("养殖", "Breeding"), ("林业", "Forestry"), ("水产", "Aquatic Products")),
             ("养殖场", "种植场", "家庭农场")),
    Industry("B", "采矿业", 0.3,
             (("矿业", "Mining"), ("矿产品", "Mineral Products"), ("石材", "Stone")),
             ("采石场",)),
    Industry("C", "制造业", 10.0,
             (("机械制造", "Machinery Manufacturing"), ("电子", "Electronics"),
              ("新材料", "New Material"), ("服饰", "Apparel"), ("食品", "Food"),
              ("塑胶制品", "Plastic Products"), ("精密机械", "Precision Machinery"),
              ("五金制品", "Hardware Products"), ("包装材料", "Packaging Material"),
              ("家具", "Furniture"), ("汽车零部件", "Auto Parts"), ("化工", "Chemical"),
              ("纺织", "Textile"), ("印刷", "Printing")),
             ("加工厂", "服装加工厂", "豆制品加工坊", "印刷厂")),
    Industry("D", "电力、热力、燃气及水生产和供应业", 1.0,
             (("能源", "Energy"), ("新能源科技", "New Energy Technology"),
              ("电力工程", "Electric Power Engineering"), ("燃气", "Gas"),
              ("供水", "Water Supply"), ("光伏科技", "Photovoltaic Technology")),
             ("液化气供应站",)),
    Industry("E", "建筑业", 7.0,
             (("建设工程", "Construction Engineering"), ("建筑工程", "Building Engineering"),
              ("装饰工程", "Decoration Engineering"), ("建筑劳务", "Construction Labour Service"),
              ("市政工程", "Municipal Engineering"), ("安装工程", "Installation Engineering"),
              ("幕墙工程", "Curtain Wall Engineering")),
             ("装修队", "水电安装部")),
    Industry("F", "批发和零售业", 28.0,
             (("商贸", "Trading"), ("贸易", "Trading"), ("电子商务", "E-commerce"),
              ("建材", "Building Materials"), ("医药", "Pharmaceutical"),
              ("百货", "Department Store"), ("汽车销售", "Automobile Sales"),
              ("日用品", "Daily Necessities"), ("五金机电", "Hardware and Electromechanical"),
              ("进出口", "Import and Export"), ("农产品", "Agricultural Products"),
              ("服装", "Garment"), ("酒业", "Wine"), ("茶业", "Tea"), ("超市", "Supermarket")),
             ("便利店", "超市", "五金店", "服装店", "水果店", "烟酒商行", "日用品商店", "副食店",
              "建材经营部", "茶叶店", "手机店", "药店", "文具店", "母婴用品店")),
    Industry("G", "交通运输、仓储和邮政业", 3.5,
             (("物流", "Logistics"), ("运输", "Transportation"),
              ("供应链管理", "Supply Chain Management"), ("货运代理", "Freight Forwarding"),
              ("仓储", "Warehousing"), ("汽车运输", "Automobile Transportation"),
              ("快递", "Express")),
             ("货运部", "搬家服务部", "快递服务部")),
    Industry("H", "住宿和餐饮业", 3.5,
             (("餐饮管理", "Catering Management"), ("酒店管理", "Hotel Management"),
              ("餐饮服务", "Catering Service"), ("餐饮", "Catering")),
             ("小吃店", "餐馆", "面馆", "饭店", "奶茶店", "烧烤店", "快餐店", "民宿", "饺子馆",
              "早餐店")),
    Industry("I", "信息传输、软件和信息技术服务业", 7.0,
             (("网络科技", "Network Technology"), ("信息技术", "Information Technology"),
              ("软件", "Software"), ("数据科技", "Data Technology"),
              ("智能科技", "Intelligent Technology"), ("通信", "Communication"),
              ("电子科技", "Electronic Technology")),
             ("网络工作室", "电脑维修部")),
    Industry("J", "金融业", 1.0,
             (("投资", "Investment"), ("资产管理", "Asset Management"),
              ("投资管理", "Investment Management"), ("融资担保", "Financing Guarantee")),
             ()),
    Industry("K", "房地产业", 3.0,
             (("房地产开发", "Real Estate Development"), ("置业", "Real Estate"),
              ("物业管理", "Property Management"), ("房地产经纪", "Real Estate Agency"),
              ("物业服务", "Property Service")),
             ("房屋中介服务部",)),
    Industry("L", "租赁和商务服务业", 14.0,
             (("企业管理咨询", "Enterprise Management Consulting"),
              ("商务服务", "Business Service"), ("人力资源", "Human Resources"),
              ("广告", "Advertising"), ("文化传媒", "Culture Media"),
              ("会展服务", "Exhibition Service"), ("企业管理", "Enterprise Management"),
              ("设备租赁", "Equipment Leasing"), ("品牌管理", "Brand Management"),
              ("咨询服务", "Consulting Service")),
             ("广告设计部", "图文广告店", "租赁站")),
    Industry("M", "科学研究和技术服务业", 9.0,
             (("科技", "Technology"), ("技术服务", "Technical Service"), ("检测", "Testing"),
              ("工程设计", "Engineering Design"), ("生物科技", "Biotechnology"),
              ("工程技术", "Engineering Technology"), ("测绘", "Surveying and Mapping"),
              ("工程咨询", "Engineering Consulting")),
             ("设计工作室",)),
    Industry("N", "水利、环境和公共设施管理业", 1.2,
             (("环保科技", "Environmental Protection Technology"), ("园林绿化", "Landscaping"),
              ("环境工程", "Environmental Engineering"), ("水务", "Water Affairs"),
              ("环境卫生", "Sanitation")),
             ("保洁服务部", "绿化养护部")),
    Industry("O", "居民服务、修理和其他服务业", 3.0,
             (("家政服务", "Housekeeping Service"), ("汽车维修", "Automobile Repair"),
              ("保洁服务", "Cleaning Service"), ("美容", "Beauty"),
              ("洗涤服务", "Laundry Service")),
             ("理发店", "美容店", "汽车修理部", "电器维修部", "洗衣店", "家政服务部", "摄影部",
              "足浴店")),
    Industry("P", "教育", 0.8,
             (("教育科技", "Education Technology"), ("教育咨询", "Education Consulting"),
              ("培训", "Training")),
             ("书画培训部",)),
    Industry("Q", "卫生和社会工作", 0.6,
             (("医疗管理", "Medical Management"), ("健康管理", "Health Management"),
              ("养老服务", "Elderly Care Service")),
             ("诊所", "推拿按摩店")),
    Industry("R", "文化、体育和娱乐业", 2.0,
             (("文化传播", "Culture Communication"), ("体育发展", "Sports Development"),
              ("影视文化", "Film and Television Culture"), ("文化艺术", "Culture and Art"),
              ("娱乐", "Entertainment")),
             ("棋牌室", "健身房", "书店")),
    Industry("S", "公共管理、社会保障和社会组织", 0.0, (), ()),
    Industry("T", "国际组织", 0.0, (), ()),
)  # fmt: skip

INDUSTRY_BY_LETTER: dict[str, Industry] = {industry.letter: industry for industry in INDUSTRIES}

# Individual businesses crowd into shops, restaurants and personal services.
_SHOP_WEIGHTS: dict[str, float] = {
    "F": 45.0, "H": 22.0, "O": 14.0, "A": 4.0, "C": 3.0, "G": 3.0, "R": 3.0, "E": 2.0,
    "L": 1.5, "Q": 1.0, "I": 0.5, "K": 0.5, "M": 0.3, "N": 0.2, "P": 0.2, "B": 0.05,
    "D": 0.05,
}  # fmt: skip


@cache
def company_industries() -> Weighted[Industry]:
    """The industry of a company, partnership or sole proprietorship."""
    return Weighted((industry, industry.company_weight) for industry in INDUSTRIES)


@cache
def shop_industries() -> Weighted[Industry]:
    """The industry of an individual business."""
    return Weighted(
        (INDUSTRY_BY_LETTER[letter], weight) for letter, weight in _SHOP_WEIGHTS.items()
    )
