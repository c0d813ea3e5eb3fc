"""Where synthetic subjects are registered.

Subjects are spread over the 31 provincial-level divisions in proportion to their population in
the 2020 (seventh) national census, so that search, statistics and regional agencies see a
realistic skew (Guangdong, Shandong and Henan large; Tibet and Qinghai small). Within a province a
few real county-level divisions (GB/T 2260 codes, as current in ``stdnum``'s location table) carry
the registrations; that is enough for names, agencies and codes to vary by place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from xinyong.synth.weighted import Weighted


@dataclass(frozen=True, slots=True)
class Province:
    """A provincial-level division."""

    code: str  # two digits
    name: str  # 浙江省
    short: str  # 浙江, as names of companies use it
    abbr: str  # 浙, as document numbers and licence numbers use it
    pinyin: str
    population: int  # 2020 census
    municipality: bool  # Beijing, Tianjin, Shanghai, Chongqing: districts sit directly below


@dataclass(frozen=True, slots=True)
class Region:
    """A county-level division where subjects register and local bureaus sit."""

    code: str  # six digits, GB/T 2260
    province: Province
    city: str  # 杭州市 (the prefecture, the municipality, or a city without districts)
    city_pinyin: str
    county: str  # 西湖区; empty when ``city`` itself is the county-level division

    @property
    def city_short(self) -> str:
        """The city without its 市 suffix, as used inside company names: 杭州."""
        return self.city.removesuffix("市")

    @property
    def county_short(self) -> str:
        """The county without its suffix, as branch names and sub-bureaus use it: 西湖, 浦东."""
        for suffix in ("回族区", "新区", "区", "县", "市"):
            if self.county.endswith(suffix):
                return self.county.removesuffix(suffix)
        return self.county

    @property
    def city_code(self) -> str:
        """The code of the prefecture-level (or provincial, for municipalities) authority."""
        if self.province.municipality:
            return self.province.code + "0000"
        if not self.county:
            return self.code
        return self.code[:4] + "00"

    @property
    def full_name(self) -> str:
        """杭州市西湖区, 北京市朝阳区, 东莞市."""
        return self.city + self.county

    @property
    def city_abbr(self) -> str:
        """One character standing for the city in document numbers: 杭, 京 for Beijing."""
        return self.province.abbr if self.province.municipality else self.city[0]

    @property
    def county_abbr(self) -> str:
        """Two characters standing for the county in document numbers: 杭西, 京朝."""
        return self.city_abbr + (self.county[0] if self.county else "")


# code, name, short, abbr, pinyin, 2020 census population, then "city|pinyin|code county …"
# blocks.
# A city block whose only entry has no county name is itself county level (东莞市, 义乌市).
_TABLE: tuple[tuple[str, str, str, str, str, int, tuple[str, ...]], ...] = (
    ("11", "北京市", "北京", "京", "Beijing", 21893095,
     ("北京市|Beijing|110101 东城区 110102 西城区 110105 朝阳区 110106 丰台区 110108 海淀区 "
      "110112 通州区 110114 昌平区",)),
    ("12", "天津市", "天津", "津", "Tianjin", 13866009,
     ("天津市|Tianjin|120101 和平区 120103 河西区 120104 南开区 120111 西青区 120116 滨海新区",)),
    ("13", "河北省", "河北", "冀", "Hebei", 74610235,
     ("石家庄市|Shijiazhuang|130102 长安区 130104 桥西区 130105 新华区",
      "唐山市|Tangshan|130202 路南区 130203 路北区",
      "保定市|Baoding|130602 竞秀区",
      "邯郸市|Handan|130402 邯山区",
      "廊坊市|Langfang|131002 安次区")),
    ("14", "山西省", "山西", "晋", "Shanxi", 34915616,
     ("太原市|Taiyuan|140105 小店区 140106 迎泽区 140107 杏花岭区",
      "大同市|Datong|140213 平城区",
      "运城市|Yuncheng|140802 盐湖区")),
    ("15", "内蒙古自治区", "内蒙古", "蒙", "Inner Mongolia", 24049155,
     ("呼和浩特市|Hohhot|150102 新城区 150105 赛罕区",
      "包头市|Baotou|150203 昆都仑区",
      "鄂尔多斯市|Ordos|150602 东胜区")),
    ("21", "辽宁省", "辽宁", "辽", "Liaoning", 42591407,
     ("沈阳市|Shenyang|210102 和平区 210103 沈河区 210105 皇姑区",
      "大连市|Dalian|210202 中山区 210204 沙河口区",
      "鞍山市|Anshan|210302 铁东区")),
    ("22", "吉林省", "吉林", "吉", "Jilin", 24073453,
     ("长春市|Changchun|220102 南关区 220104 朝阳区 220105 二道区",
      "吉林市|Jilin|220202 昌邑区")),
    ("23", "黑龙江省", "黑龙江", "黑", "Heilongjiang", 31850088,
     ("哈尔滨市|Harbin|230102 道里区 230103 南岗区 230104 道外区",
      "齐齐哈尔市|Qiqihar|230202 龙沙区",
      "大庆市|Daqing|230602 萨尔图区")),
    ("31", "上海市", "上海", "沪", "Shanghai", 24870895,
     ("上海市|Shanghai|310101 黄浦区 310104 徐汇区 310105 长宁区 310106 静安区 310107 普陀区 "
      "310112 闵行区 310115 浦东新区 310117 松江区",)),
    ("32", "江苏省", "江苏", "苏", "Jiangsu", 84748016,
     ("南京市|Nanjing|320102 玄武区 320106 鼓楼区 320115 江宁区",
      "苏州市|Suzhou|320505 虎丘区 320506 吴中区 320508 姑苏区",
      "无锡市|Wuxi|320211 滨湖区",
      "常州市|Changzhou|320402 天宁区",
      "南通市|Nantong|320613 崇川区",
      "徐州市|Xuzhou|320311 泉山区")),
    ("33", "浙江省", "浙江", "浙", "Zhejiang", 64567588,
     ("杭州市|Hangzhou|330102 上城区 330106 西湖区 330108 滨江区 330109 萧山区 330110 余杭区",
      "宁波市|Ningbo|330203 海曙区 330212 鄞州区",
      "温州市|Wenzhou|330302 鹿城区",
      "嘉兴市|Jiaxing|330402 南湖区",
      "义乌市|Yiwu|330782")),
    ("34", "安徽省", "安徽", "皖", "Anhui", 61027171,
     ("合肥市|Hefei|340102 瑶海区 340104 蜀山区 340111 包河区",
      "芜湖市|Wuhu|340202 镜湖区",
      "蚌埠市|Bengbu|340302 龙子湖区")),
    ("35", "福建省", "福建", "闽", "Fujian", 41540086,
     ("福州市|Fuzhou|350102 鼓楼区 350104 仓山区",
      "厦门市|Xiamen|350203 思明区 350206 湖里区",
      "泉州市|Quanzhou|350503 丰泽区",
      "晋江市|Jinjiang|350582")),
    ("36", "江西省", "江西", "赣", "Jiangxi", 45188635,
     ("南昌市|Nanchang|360102 东湖区 360103 西湖区 360111 青山湖区",
      "赣州市|Ganzhou|360702 章贡区",
      "九江市|Jiujiang|360403 浔阳区")),
    ("37", "山东省", "山东", "鲁", "Shandong", 101527453,
     ("济南市|Jinan|370102 历下区 370103 市中区",
      "青岛市|Qingdao|370202 市南区 370203 市北区 370212 崂山区",
      "烟台市|Yantai|370602 芝罘区",
      "潍坊市|Weifang|370705 奎文区",
      "淄博市|Zibo|370302 淄川区")),
    ("41", "河南省", "河南", "豫", "Henan", 99365519,
     ("郑州市|Zhengzhou|410102 中原区 410104 管城回族区 410105 金水区",
      "洛阳市|Luoyang|410302 老城区 410305 涧西区",
      "新乡市|Xinxiang|410702 红旗区",
      "开封市|Kaifeng|410202 龙亭区")),
    ("42", "湖北省", "湖北", "鄂", "Hubei", 57752557,
     ("武汉市|Wuhan|420102 江岸区 420103 江汉区 420106 武昌区 420111 洪山区",
      "宜昌市|Yichang|420502 西陵区",
      "襄阳市|Xiangyang|420602 襄城区")),
    ("43", "湖南省", "湖南", "湘", "Hunan", 66444864,
     ("长沙市|Changsha|430102 芙蓉区 430103 天心区 430104 岳麓区 430105 开福区",
      "株洲市|Zhuzhou|430202 荷塘区",
      "湘潭市|Xiangtan|430302 雨湖区")),
    ("44", "广东省", "广东", "粤", "Guangdong", 126012510,
     ("广州市|Guangzhou|440103 荔湾区 440104 越秀区 440105 海珠区 440106 天河区 440111 白云区",
      "深圳市|Shenzhen|440303 罗湖区 440304 福田区 440305 南山区 440306 宝安区 440307 龙岗区",
      "佛山市|Foshan|440604 禅城区 440606 顺德区",
      "珠海市|Zhuhai|440402 香洲区",
      "东莞市|Dongguan|441900",
      "中山市|Zhongshan|442000")),
    ("45", "广西壮族自治区", "广西", "桂", "Guangxi", 50126804,
     ("南宁市|Nanning|450102 兴宁区 450103 青秀区",
      "柳州市|Liuzhou|450202 城中区",
      "桂林市|Guilin|450302 秀峰区")),
    ("46", "海南省", "海南", "琼", "Hainan", 10081232,
     ("海口市|Haikou|460105 秀英区 460106 龙华区 460108 美兰区",
      "三亚市|Sanya|460202 海棠区")),
    ("50", "重庆市", "重庆", "渝", "Chongqing", 32054159,
     ("重庆市|Chongqing|500103 渝中区 500104 大渡口区 500106 沙坪坝区 500107 九龙坡区 "
      "500108 南岸区",)),
    ("51", "四川省", "四川", "川", "Sichuan", 83674866,
     ("成都市|Chengdu|510104 锦江区 510105 青羊区 510106 金牛区 510107 武侯区 510108 成华区",
      "绵阳市|Mianyang|510703 涪城区",
      "南充市|Nanchong|511302 顺庆区")),
    ("52", "贵州省", "贵州", "黔", "Guizhou", 38562148,
     ("贵阳市|Guiyang|520102 南明区 520103 云岩区 520115 观山湖区",
      "遵义市|Zunyi|520302 红花岗区")),
    ("53", "云南省", "云南", "滇", "Yunnan", 47209277,
     ("昆明市|Kunming|530102 五华区 530103 盘龙区 530111 官渡区 530112 西山区",
      "大理市|Dali|532901")),
    ("54", "西藏自治区", "西藏", "藏", "Xizang", 3648100,
     ("拉萨市|Lhasa|540102 城关区 540103 堆龙德庆区",
      "日喀则市|Shigatse|540202 桑珠孜区")),
    ("61", "陕西省", "陕西", "陕", "Shaanxi", 39528999,
     ("西安市|Xi'an|610102 新城区 610103 碑林区 610104 莲湖区 610112 未央区 610113 雁塔区",
      "宝鸡市|Baoji|610302 渭滨区")),
    ("62", "甘肃省", "甘肃", "甘", "Gansu", 25019831,
     ("兰州市|Lanzhou|620102 城关区 620103 七里河区 620104 西固区",
      "天水市|Tianshui|620502 秦州区")),
    ("63", "青海省", "青海", "青", "Qinghai", 5923957,
     ("西宁市|Xining|630102 城东区 630103 城中区 630104 城西区 630105 城北区",)),
    ("64", "宁夏回族自治区", "宁夏", "宁", "Ningxia", 7202654,
     ("银川市|Yinchuan|640104 兴庆区 640105 西夏区 640106 金凤区",
      "石嘴山市|Shizuishan|640202 大武口区")),
    ("65", "新疆维吾尔自治区", "新疆", "新", "Xinjiang", 25852345,
     ("乌鲁木齐市|Urumqi|650102 天山区 650103 沙依巴克区 650104 新市区 650105 水磨沟区",
      "克拉玛依市|Karamay|650202 独山子区")),
)  # fmt: skip

_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


def _build() -> tuple[tuple[Province, ...], tuple[Region, ...]]:
    provinces: list[Province] = []
    regions: list[Region] = []
    for code, name, short, abbr, pinyin, population, blocks in _TABLE:
        province = Province(
            code, name, short, abbr, pinyin, population, municipality=code in _MUNICIPALITIES
        )
        provinces.append(province)
        for block in blocks:
            city, city_pinyin, entries = block.split("|")
            words = entries.split()
            if len(words) == 1:
                regions.append(Region(words[0], province, city, city_pinyin, ""))
                continue
            for region_code, county in zip(words[::2], words[1::2], strict=True):
                regions.append(Region(region_code, province, city, city_pinyin, county))
    return tuple(provinces), tuple(regions)


PROVINCES, REGIONS = _build()
REGION_BY_CODE: dict[str, Region] = {region.code: region for region in REGIONS}


@cache
def region_table() -> Weighted[Region]:
    """Regions weighted so that each province's share follows its census population."""
    per_province: dict[str, int] = {}
    for region in REGIONS:
        per_province[region.province.code] = per_province.get(region.province.code, 0) + 1
    return Weighted(
        (region, region.province.population / per_province[region.province.code])
        for region in REGIONS
    )
