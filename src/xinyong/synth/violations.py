"""What each agency penalises, under which article, and how hard.

Each entry pairs a violation type with the statute article agencies cite for it, the usual range
of fines (in yuan, as decided in practice, reductions included) and the penalty categories the
article allows beyond a fine. Keeping basis, type and facts together is what makes a generated
penalty internally consistent: a tax bureau never cites the Food Safety Law, and only articles
that provide for suspension or revocation ever produce those serious outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass

FINE = "罚款"
WARNING = "警告"
CRITICISM = "通报批评"
CONFISCATE_GAINS = "没收违法所得"
CONFISCATE_PROPERTY = "没收非法财物"
SUSPEND = "责令停产停业"
REVOKE = "吊销许可证件"
DOWNGRADE = "降低资质等级"
RESTRICT = "限制开展生产经营活动"
CLOSE = "责令关闭"

SERIOUS_CATEGORIES = frozenset({SUSPEND, REVOKE, DOWNGRADE, RESTRICT, CLOSE})
LIGHT_CATEGORIES = frozenset({WARNING, CRITICISM})


@dataclass(frozen=True, slots=True)
class Violation:
    """One kind of violation an agency penalises."""

    agency: str
    kind: str  # 违法行为类型
    facts: str  # 违法事实; {x} is filled from ``items``, {v} with an amount in yuan
    basis: str  # 处罚依据
    fine: tuple[int, int]  # usual fine, yuan
    categories: frozenset[str]  # categories the basis allows besides a fine
    industries: str = ""  # GB/T 4754 section letters it occurs in; empty means any
    items: tuple[str, ...] = ()
    doc: str = ""  # the document-number code of the deciding bureau, e.g. 市监处罚
    organisations: bool = True
    persons: bool = False  # whether natural persons are penalised for it
    weight: float = 1.0
    office: str = "local"  # "local" (city or county bureau) or "inspection" (tax inspection)
    tax_multiple: bool = False  # the fine is a multiple of the tax evaded


_F = frozenset

VIOLATIONS: tuple[Violation, ...] = (
    # -- market regulation ---------------------------------------------------------------------
    Violation("samr", "经营超过保质期的食品",
              "当事人在其经营场所销售超过保质期的{x}，货值金额{v}元。",
              "《中华人民共和国食品安全法》第三十四条第（十）项、第一百二十四条第一款第（五）项",
              (5000, 100000), _F({CONFISCATE_GAINS, CONFISCATE_PROPERTY, REVOKE}), "FHC",
              ("预包装饮料", "方便面", "饼干", "酸奶", "火腿肠", "糕点", "速冻水饺"),
              "市监处罚", weight=3.0),
    Violation("samr", "未按规定建立并遵守进货查验记录制度",
              "当事人采购{x}时未查验供货者的许可证和产品合格证明文件，未建立进货查验记录。",
              "《中华人民共和国食品安全法》第一百二十六条第一款第（三）项",
              (5000, 50000), _F({WARNING}), "FH", ("食品", "食用农产品", "预包装食品"),
              "市监处罚", weight=3.0),
    Violation("samr", "虚假或者引人误解的商业宣传",
              "当事人在其{x}上对商品的性能、功能、质量作虚假或者引人误解的商业宣传，欺骗、误导消费者。",
              "《中华人民共和国反不正当竞争法》第八条第一款、第二十条第一款",
              (20000, 300000), _F({CONFISCATE_GAINS}), "",
              ("微信公众号", "网店页面", "宣传册", "店招", "短视频账号"), "市监处罚", weight=1.5),
    Violation("samr", "发布虚假广告",
              "当事人通过{x}发布含有虚假内容的广告，广告费用{v}元。",
              "《中华人民共和国广告法》第二十八条、第五十五条第一款",
              (10000, 300000), _F({CONFISCATE_PROPERTY}), "",
              ("户外广告牌", "微信公众号", "电商平台店铺", "宣传单页"), "市监处罚"),
    Violation("samr", "发布含有绝对化用语的广告",
              "当事人在{x}发布的广告中使用“最佳”“国家级”“第一品牌”等绝对化用语。",
              "《中华人民共和国广告法》第九条第（三）项、第五十七条第（一）项",
              (3000, 200000), _F({WARNING, CRITICISM}), "",
              ("网店首页", "产品包装", "门店海报"), "市监处罚", weight=1.5),
    Violation("samr", "不按规定明码标价",
              "当事人销售的{x}未按规定明码标价。",
              "《价格违法行为行政处罚规定》第十三条",
              (200, 5000), _F({WARNING, CRITICISM, CONFISCATE_GAINS}), "FHO",
              ("商品", "服务项目", "蔬菜水果", "餐饮菜品"), "市监处罚", weight=2.0),
    Violation("samr", "销售不合格产品",
              "当事人销售的{x}经抽样检验不合格，货值金额{v}元。",
              "《中华人民共和国产品质量法》第四十九条",
              (5000, 200000), _F({CONFISCATE_GAINS, CONFISCATE_PROPERTY, REVOKE}), "FC",
              ("电线电缆", "儿童玩具", "电动自行车头盔", "插座", "化肥"), "市监处罚",
              weight=2.0),
    Violation("samr", "未在首页显著位置公示营业执照信息",
              "当事人经营的网店未在首页显著位置持续公示营业执照信息。",
              "《中华人民共和国电子商务法》第十五条第一款、第七十六条第一款第（一）项",
              (1000, 10000), _F({WARNING, CRITICISM}), "FI", doc="市监处罚"),
    Violation("samr", "未按规定申报特种设备定期检验",
              "当事人使用的{x}超过检验有效期，未按照安全技术规范的要求及时申报并接受检验。",
              "《中华人民共和国特种设备安全法》第八十三条第（五）项",
              (10000, 100000), _F(), "CFHKG", ("电梯", "压力容器", "叉车", "锅炉"), "市监处罚"),
    Violation("samr", "从事无照经营",
              "当事人未依法取得营业执照，擅自在{x}从事经营活动。",
              "《无证无照经营查处办法》第十三条",
              (1000, 10000), _F({CONFISCATE_GAINS, WARNING}), "",
              ("居民区", "农贸市场周边", "路边摊位"),
              "市监处罚", organisations=False, persons=True, weight=2.0),
    # -- taxation ------------------------------------------------------------------------------
    Violation("sta", "未按照规定期限办理纳税申报和报送纳税资料",
              "当事人未按照规定期限办理{x}纳税申报。",
              "《中华人民共和国税收征收管理法》第六十二条",
              (50, 2000), _F(), "",
              ("增值税", "企业所得税", "个人所得税（代扣代缴）", "印花税", "城市维护建设税"),
              "税简罚", persons=True, weight=9.0),
    Violation("sta", "未按照规定的期限申报办理税务登记、变更或者注销登记",
              "当事人未按照规定的期限申报办理{x}。",
              "《中华人民共和国税收征收管理法》第六十条第一款第（一）项",
              (200, 2000), _F(), "", ("税务变更登记", "税务登记"), "税简罚", weight=1.5),
    Violation("sta", "未按照规定设置、保管账簿或者保管记账凭证和有关资料",
              "当事人未按照规定{x}。",
              "《中华人民共和国税收征收管理法》第六十条第一款第（二）项",
              (500, 10000), _F(), "", ("设置账簿", "保管记账凭证"), "税罚"),
    Violation("sta", "未按规定开具发票",
              "当事人{x}。",
              "《中华人民共和国发票管理办法》第三十五条",
              (100, 10000), _F({CONFISCATE_GAINS}), "",
              ("应开具而未开具发票", "以其他凭证代替发票使用", "未按规定保管发票"), "税罚",
              weight=2.0),
    Violation("sta", "偷税",
              "当事人通过{x}等手段，不缴或者少缴应纳税款{v}元。",
              "《中华人民共和国税收征收管理法》第六十三条第一款",
              (5000, 5000000), _F(), "",
              ("在账簿上多列支出", "不列、少列收入", "进行虚假的纳税申报"),
              "税稽罚", persons=True, weight=1.5, office="inspection", tax_multiple=True),
    Violation("sta", "不进行纳税申报，不缴或者少缴应纳税款",
              "当事人取得{x}收入后未进行纳税申报，不缴应纳税款{v}元。",
              "《中华人民共和国税收征收管理法》第六十四条第二款",
              (5000, 2000000), _F(), "", ("经营", "租赁", "转让"), "税稽罚", weight=0.8,
              office="inspection", tax_multiple=True),
    Violation("sta", "虚开发票",
              "当事人在无真实交易的情况下为他人虚开{x}，金额{v}元。",
              "《中华人民共和国发票管理办法》第二十二条第二款、第三十七条第一款",
              (50000, 500000), _F({CONFISCATE_GAINS}), "FL",
              ("增值税普通发票", "增值税专用发票"), "税稽罚", weight=0.5, office="inspection"),
    # -- ecology and environment ---------------------------------------------------------------
    Violation("mee", "超过大气污染物排放标准排放大气污染物",
              "经监测，当事人{x}排放口污染物排放浓度超过国家规定的排放限值。",
              "《中华人民共和国大气污染防治法》第十八条、第九十九条第（二）项",
              (100000, 1000000), _F({RESTRICT, SUSPEND}), "CDB", ("锅炉废气", "工艺废气", "窑炉"),
              "环罚", weight=1.5),
    Violation("mee", "超过水污染物排放标准排放水污染物",
              "经监测，当事人废水总排放口{x}浓度超过国家规定的排放限值。",
              "《中华人民共和国水污染防治法》第十条、第八十三条第（二）项",
              (100000, 1000000), _F({RESTRICT, SUSPEND}), "CDN", ("化学需氧量", "氨氮", "总磷"),
              "环罚", weight=1.2),
    Violation("mee", "建设项目环境影响报告表未经批准擅自开工建设",
              "当事人{x}项目的环境影响报告表未经审批，擅自开工建设。",
              "《中华人民共和国环境影响评价法》第二十五条、第三十一条第一款",
              (50000, 500000), _F(), "CDEK", ("扩建", "新建", "技术改造"), "环罚", weight=1.5),
    Violation("mee", "产生含挥发性有机物废气的生产活动未在密闭空间或者设备中进行",
              "当事人{x}工序产生含挥发性有机物废气，未在密闭空间或者设备中进行，未按照规定安装、使用污染防治设施。",
              "《中华人民共和国大气污染防治法》第四十五条、第一百零八条第（一）项",
              (20000, 200000), _F({SUSPEND}), "C", ("喷漆", "印刷", "涂装", "注塑"), "环罚",
              weight=1.5),
    Violation("mee", "未取得排污许可证排放污染物",
              "当事人未依法取得排污许可证，{x}排放污染物。",
              "《排污许可管理条例》第三十三条第（一）项",
              (200000, 1000000), _F({SUSPEND, CLOSE}), "CD", ("擅自", "在排污许可证失效后继续"),
              "环罚", weight=0.6),
    Violation("mee", "未按照规定开展自行监测",
              "当事人未按照排污许可证规定的频次开展{x}自行监测。",
              "《排污许可管理条例》第三十六条第（五）项",
              (20000, 200000), _F(), "CDN", ("废气", "废水", "噪声"), "环罚"),
    Violation("mee", "未按照排污许可证规定提交排污许可证执行报告",
              "当事人未按照排污许可证规定提交{x}排污许可证执行报告。",
              "《排污许可管理条例》第三十七条第（三）项",
              (5000, 20000), _F(), "CDN", ("季度", "年度"), "环罚"),
    Violation("mee", "未按照国家有关规定填写、运行危险废物转移联单",
              "当事人转移{x}时未按照国家有关规定填写、运行危险废物转移联单。",
              "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第（五）项",
              (100000, 1000000), _F(), "CN", ("废矿物油", "废活性炭", "漆渣"), "环罚", weight=0.6),
    Violation("mee", "被责令改正拒不改正，按日连续处罚",
              "当事人因{x}受到罚款处罚，被责令改正后拒不改正。",
              "《中华人民共和国环境保护法》第五十九条第一款",
              (200000, 2000000), _F(), "C", ("超标排放大气污染物", "超标排放水污染物"), "环罚",
              weight=0.3),
    # -- emergency management ------------------------------------------------------------------
    Violation("mem", "未按照规定对从业人员进行安全生产教育和培训",
              "当事人未按照规定对{x}进行安全生产教育和培训。",
              "《中华人民共和国安全生产法》第二十八条第一款、第九十七条第（三）项",
              (5000, 100000), _F({SUSPEND}), "CBEGFH",
              ("新入职从业人员", "被派遣劳动者", "特种作业人员"),
              "应急罚", weight=2.0),
    Violation("mem", "未对安全设备进行经常性维护、保养和定期检测",
              "当事人未对{x}进行经常性维护、保养和定期检测。",
              "《中华人民共和国安全生产法》第三十六条第一款、第九十九条第（三）项",
              (5000, 50000), _F({SUSPEND}), "CBEG",
              ("可燃气体报警装置", "消防设施", "防爆电气设备"),
              "应急罚", weight=1.5),
    Violation("mem", "未在有较大危险因素的生产经营场所设置明显的安全警示标志",
              "当事人未在{x}设置明显的安全警示标志。",
              "《中华人民共和国安全生产法》第三十五条、第九十九条第（一）项",
              (3000, 50000), _F({WARNING}), "CBEFG",
              ("危险化学品储存场所", "有限空间作业点", "配电房"),
              "应急罚", weight=1.5),
    Violation("mem", "未采取措施消除事故隐患",
              "当事人对检查发现的{x}事故隐患未采取措施消除。",
              "《中华人民共和国安全生产法》第一百零二条",
              (10000, 50000), _F({SUSPEND}), "", ("一般", "电气线路", "消防通道堵塞"), "应急罚"),
    Violation("mem", "未取得危险化学品经营许可证从事危险化学品经营",
              "当事人未取得危险化学品经营许可证，擅自经营{x}。",
              "《危险化学品安全管理条例》第三十三条第一款、第七十七条第三款",
              (100000, 200000), _F({CONFISCATE_GAINS, CONFISCATE_PROPERTY}), "FC",
              ("工业酒精", "油漆稀释剂", "液化石油气"), "应急罚", weight=0.5),
    Violation("mem", "生产经营单位主要负责人未履行安全生产管理职责",
              "当事人作为{x}的主要负责人，未履行安全生产管理职责，导致发生一般生产安全事故。",
              "《中华人民共和国安全生产法》第九十五条第（一）项",
              (20000, 200000), _F(), "", ("一家加工厂", "一家建筑施工企业", "一家物流企业"),
              "应急罚", organisations=False, persons=True),
    # -- health --------------------------------------------------------------------------------
    Violation("nhc", "未依法取得公共场所卫生许可证擅自营业",
              "当事人未依法取得公共场所卫生许可证，擅自经营{x}。",
              "《公共场所卫生管理条例实施细则》第三十五条第一款",
              (500, 5000), _F({WARNING}), "HOR", ("住宿", "美容美发", "沐浴", "游泳场所"),
              "卫公罚", weight=1.5),
    Violation("nhc", "未按照规定对公共场所进行卫生检测",
              "当事人未按照规定对{x}进行卫生检测。",
              "《公共场所卫生管理条例实施细则》第三十六条",
              (500, 2000), _F({WARNING}), "HOR", ("室内空气", "顾客用品用具", "游泳池水质"),
              "卫公罚", weight=1.5),
    Violation("nhc", "安排未获得有效健康合格证明的从业人员从事直接为顾客服务工作",
              "当事人安排{x}名未获得有效健康合格证明的从业人员从事直接为顾客服务的工作。",
              "《公共场所卫生管理条例实施细则》第三十八条",
              (500, 5000), _F({WARNING}), "HOR", ("1", "2", "3"), "卫公罚", weight=1.5),
    Violation("nhc", "未取得医疗机构执业许可证擅自执业",
              "当事人未取得《医疗机构执业许可证》，擅自在{x}开展诊疗活动。",
              "《中华人民共和国基本医疗卫生与健康促进法》第三十八条、第九十九条第一款",
              (50000, 200000), _F({CONFISCATE_GAINS, CONFISCATE_PROPERTY}), "OQ",
              ("出租屋内", "美容店内", "门诊部以外的场所"), "卫医罚", persons=True),
    Violation("nhc", "诊疗活动超出登记的诊疗科目范围",
              "当事人在未登记{x}诊疗科目的情况下开展相关诊疗活动。",
              "《医疗机构管理条例》第二十六条、第四十六条",
              (10000, 100000), _F({WARNING, REVOKE}), "Q", ("医疗美容科", "口腔科", "中医科"),
              "卫医罚"),
    Violation("nhc", "未按照规定组织劳动者进行职业健康检查",
              "当事人未按照规定组织接触{x}的劳动者进行上岗前和在岗期间的职业健康检查。",
              "《中华人民共和国职业病防治法》第三十五条、第七十一条第（四）项",
              (50000, 100000), _F({WARNING}), "CBE", ("粉尘", "噪声", "有机溶剂"), "卫职罚"),
    # -- housing and construction --------------------------------------------------------------
    Violation("mohurd", "未取得施工许可证擅自施工",
              "当事人承建的{x}工程未取得施工许可证擅自施工。",
              "《建筑工程施工许可管理办法》第三条、第十二条",
              (10000, 500000), _F(), "EK", ("住宅楼", "厂房", "商业综合体"), "建罚", weight=1.5),
    Violation("mohurd", "施工中偷工减料、使用不合格建筑材料",
              "当事人在{x}工程施工中使用不合格的建筑材料。",
              "《建设工程质量管理条例》第二十八条、第六十四条",
              (50000, 1000000), _F({DOWNGRADE, SUSPEND, REVOKE}), "E",
              ("住宅楼", "市政道路", "学校"),
              "建罚"),
    Violation("mohurd", "施工工地未采取有效防尘降尘措施",
              "当事人施工工地{x}，未采取有效防尘降尘措施。",
              "《中华人民共和国大气污染防治法》第六十九条、第一百一十五条第一款第（一）项",
              (10000, 100000), _F({SUSPEND}), "E",
              ("裸露土方未覆盖", "渣土运输车辆未冲洗", "未设置硬质围挡"),
              "建罚", weight=2.0),
    Violation("mohurd", "未按照规定配备专职安全生产管理人员",
              "当事人在{x}项目上未按照规定配备专职安全生产管理人员。",
              "《建设工程安全生产管理条例》第二十三条、第六十二条第（一）项",
              (20000, 100000), _F({SUSPEND}), "E", ("住宅", "厂房", "道路"), "建罚"),
    Violation("mohurd", "房地产经纪机构未向委托人说明服务内容、收费标准",
              "当事人提供{x}服务时未向委托人说明服务内容、收费标准等情况。",
              "《房地产经纪管理办法》第三十三条",
              (10000, 30000), _F(), "K", ("代办贷款", "代办房地产登记"), "建罚"),
    # -- transport -----------------------------------------------------------------------------
    Violation("mot", "未取得道路运输经营许可，擅自从事道路客运经营",
              "当事人未取得道路运输经营许可，驾驶车辆（{plate}）擅自从事{x}经营。",
              "《中华人民共和国道路运输条例》第十条、第六十三条第（二）项",
              (10000, 100000), _F({CONFISCATE_GAINS}), "G", ("道路旅客运输", "包车客运"),
              "交执罚", persons=True, weight=1.5),
    Violation("mot", "未取得道路运输经营许可，擅自从事道路普通货物运输经营",
              "当事人未取得道路运输经营许可，驾驶车辆（{plate}）擅自从事道路普通货物运输经营。",
              "《中华人民共和国道路运输条例》第二十四条、第六十三条第（一）项",
              (3000, 10000), _F({CONFISCATE_GAINS}), "G", (), "交执罚", persons=True, weight=1.5),
    Violation("mot", "未取得网络预约出租汽车运输证从事网约车经营",
              "当事人驾驶未取得网络预约出租汽车运输证的车辆（{plate}）从事网约车经营活动。",
              "《网络预约出租汽车经营服务管理暂行办法》第三十四条",
              (3000, 10000), _F({WARNING}), "G", (), "交执罚", organisations=False, persons=True,
              weight=2.0),
    Violation("mot", "不按规定维护和检测运输车辆",
              "当事人所属车辆（{plate}）未按规定进行维护和检测。",
              "《中华人民共和国道路运输条例》第六十九条第一款",
              (1000, 5000), _F({WARNING}), "G", (), "交执罚", weight=1.5),
    Violation("mot", "车辆违法超限运输",
              "当事人所属车辆（{plate}）车货总质量超过公路限定标准。",
              "《公路安全保护条例》第三十三条、第六十四条",
              (500, 30000), _F(), "GEC", (), "交执罚", persons=True, weight=2.0),
    Violation("mot", "不符合条件的人员驾驶道路运输经营车辆",
              "当事人未取得相应从业资格证件，驾驶道路运输经营车辆（{plate}）。",
              "《中华人民共和国道路运输条例》第六十四条",
              (200, 2000), _F({WARNING}), "G", (), "交执罚", persons=True),
    Violation("mot", "客运经营者不按批准的客运站点停靠或者不按规定的线路、公布的班次行驶",
              "当事人所属客运车辆（{plate}）未按批准的线路、公布的班次行驶。",
              "《中华人民共和国道路运输条例》第六十八条第一款第（一）项",
              (1000, 2000), _F({REVOKE}), "G", (), "交执罚", weight=0.5),
)  # fmt: skip


def penalty_content(
    category: str,
    fine: int,
    confiscated: int,
    licence: str,
    item: str,
    tax_multiple: tuple[int, str] | None,
    period: str,
) -> str:
    """处罚内容, the decision's operative words; ``period`` is how long a suspension lasts."""
    if tax_multiple is not None and fine:
        fine_text = f"处不缴或者少缴税款{tax_multiple[1]}的罚款，计人民币{fine}元"
    else:
        fine_text = f"罚款人民币{fine}元" if fine else ""
    if category == FINE:
        lead = ""
    elif category == WARNING:
        lead = "警告"
    elif category == CRITICISM:
        lead = "通报批评"
    elif category == CONFISCATE_GAINS:
        lead = f"没收违法所得人民币{confiscated}元"
    elif category == CONFISCATE_PROPERTY:
        lead = f"没收非法财物（{item or '涉案物品'}），价值人民币{confiscated}元"
    elif category == SUSPEND:
        lead = f"责令停产停业{period}"
    elif category == REVOKE:
        lead = f"吊销{licence or '许可证件'}"
    elif category == DOWNGRADE:
        lead = "降低资质等级（由二级降为三级）"
    elif category == RESTRICT:
        lead = f"限制开展生产经营活动{period}"
    else:
        lead = "责令关闭"
    if lead and fine_text:
        return f"{lead}，并处{fine_text.removeprefix('处')}"
    return lead or fine_text
