"""Word lists and the catalogue behind the demo data: who the customers are, where they live,
what the company sells. Weights are rough shares (population, surname frequency, sales), chosen
so that charts of demo data look like those of a real Chinese appliance brand. The lists are
written as compact text tables and parsed at import, which keeps them readable."""

from __future__ import annotations

import re
from typing import NamedTuple


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _weighted(text: str) -> tuple[tuple[str, float], ...]:
    """ "王710 李700" -> (("王", 710.0), ("李", 700.0))."""
    pairs = (re.fullmatch(r"(\S+?)(\d+(?:\.\d+)?)", word) for word in text.split())
    return tuple((m[1], float(m[2])) for m in pairs)


def _pinyin(text: str) -> dict[str, str]:
    return dict(re.findall(r"([^\x00-\x7f]+)([a-z]+)", text))


# Surnames with their frequency per 10,000 people (2020 census), and their pinyin for emails.
SURNAMES = _weighted(
    "王710 李700 张670 刘540 陈460 杨310 黄220 赵220 吴200 周190 徐150 孙150 马140 朱130 "
    "胡130 郭120 何120 林110 高110 罗100 郑90 梁90 谢80 宋70 唐70 许70 韩70 冯60 邓60 曹60 "
    "彭60 曾60 肖60 田50 董50 袁50 潘50 于50 蒋50 蔡50 余50 杜50 叶40 程40 苏40 魏40 吕40 "
    "丁40 任40 沈40 姚40 卢40 姜40 崔30 钟30 谭30 陆30 汪30 范30 金30 石30 廖30 贾30 夏30 "
    "韦30 付30 方30 白20 邹20 孟20 熊20 秦20 邱20 江20 尹20 薛20 闫20 段20 雷20 侯20 龙20 "
    "史20 陶20 黎20 贺20 顾20 毛20 郝20 龚20 邵20 万20 欧阳5 上官1 司徒1"
)
SURNAME_PINYIN = _pinyin(
    "王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma "
    "朱zhu 胡hu 郭guo 何he 林lin 高gao 罗luo 郑zheng 梁liang 谢xie 宋song 唐tang 许xu 韩han "
    "冯feng 邓deng 曹cao 彭peng 曾zeng 肖xiao 田tian 董dong 袁yuan 潘pan 于yu 蒋jiang 蔡cai "
    "余yu 杜du 叶ye 程cheng 苏su 魏wei 吕lv 丁ding 任ren 沈shen 姚yao 卢lu 姜jiang 崔cui "
    "钟zhong 谭tan 陆lu 汪wang 范fan 金jin 石shi 廖liao 贾jia 夏xia 韦wei 付fu 方fang 白bai "
    "邹zou 孟meng 熊xiong 秦qin 邱qiu 江jiang 尹yin 薛xue 闫yan 段duan 雷lei 侯hou 龙long "
    "史shi 陶tao 黎li 贺he 顾gu 毛mao 郝hao 龚gong 邵shao 万wan 欧阳ouyang 上官shangguan "
    "司徒situ"
)

# Given-name characters by sex and generation: names follow fashion, so a 1960s 建国 and a
# 2000s 子轩 should not be born in the same year.
GIVEN_CHARS = {
    ("male", "old"): "国建军华明强平志刚勇东海林文红卫德福春",
    ("male", "mid"): "伟磊杰涛斌超辉鹏飞鑫波凯健俊亮成峰毅振立",
    ("male", "young"): "宇浩帆帅旭宁阳博子轩然晨泽睿诚航铭昊豪",
    ("female", "old"): "秀英桂兰凤华红梅春玉珍淑芬琴霞萍",
    ("female", "mid"): "芳娜敏静丽艳娟婷雪琳慧倩颖佳燕晶洁丹莉",
    ("female", "young"): "欣怡萱涵诗梦思语雨月可馨悦彤琪瑶",
}
GIVEN_PINYIN = _pinyin(
    "国guo 建jian 军jun 华hua 明ming 强qiang 平ping 志zhi 刚gang 勇yong 东dong 海hai 林lin "
    "文wen 红hong 卫wei 德de 福fu 春chun 伟wei 磊lei 杰jie 涛tao 斌bin 超chao 辉hui 鹏peng "
    "飞fei 鑫xin 波bo 凯kai 健jian 俊jun 亮liang 成cheng 峰feng 毅yi 振zhen 立li 宇yu 浩hao "
    "帆fan 帅shuai 旭xu 宁ning 阳yang 博bo 子zi 轩xuan 然ran 晨chen 泽ze 睿rui 诚cheng "
    "航hang 铭ming 昊hao 豪hao 秀xiu 英ying 桂gui 兰lan 凤feng 梅mei 玉yu 珍zhen 淑shu "
    "芬fen 琴qin 霞xia 萍ping 芳fang 娜na 敏min 静jing 丽li 艳yan 娟juan 婷ting 雪xue "
    "琳lin 慧hui 倩qian 颖ying 佳jia 燕yan 晶jing 洁jie 丹dan 莉li 欣xin 怡yi 萱xuan "
    "涵han 诗shi 梦meng 思si 语yu 雨yu 月yue 可ke 馨xin 悦yue 彤tong 琪qi 瑶yao"
)

ENGLISH_FIRST = {
    "male": _words(
        "James John Robert Michael David William Richard Thomas Daniel Matthew Andrew Mark "
        "Paul Steven Kevin Brian George Edward Peter Oliver Jack Henry Lucas Ethan Ryan"
    ),
    "female": _words(
        "Mary Patricia Jennifer Linda Elizabeth Susan Jessica Sarah Karen Emily Emma Olivia "
        "Sophie Grace Hannah Laura Rachel Anna Kate Amy Chloe Lucy Megan Julia Claire"
    ),
}
ENGLISH_LAST = _words(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "Martin Jackson White Harris Clark Lewis Walker Hall Allen Young King Wright Scott Green "
    "Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Turner Parker Evans Edwards "
    "Collins Stewart Morris Murphy Cook Rogers Bell Cooper Ward Hughes Wood Kelly"
)

# Students and the retired are drawn by age first; these are everyone else's jobs.
OCCUPATIONS = _weighted(
    "工程师9 教师8 销售8 企业职员12 程序员6 会计5 医生3 护士3 公务员5 设计师3 律师1 "
    "自由职业6 个体经营7 企业管理者4 工人6 司机3 厨师2 银行职员3 客服2 市场专员3 研究员2 "
    "快递员2 全职家长3 农民2"
)


class Region(NamedTuple):
    name: str  # as stored in Customer.region
    full_name: str  # as written in a postal address
    weight: float  # millions of inhabitants, nudged by spending power
    team: str  # key of the team in TEAMS that serves it
    remote: bool  # deliveries take longer
    cities: tuple[tuple[str, float], ...]


def _regions(table: str) -> tuple[Region, ...]:
    regions = []
    for line in table.strip().splitlines():
        name, full_name, weight, team, *rest = line.split()
        remote = rest[0] == "remote"
        cities = _weighted(" ".join(rest[remote:]))
        regions.append(Region(name, full_name, float(weight), team, remote, cities))
    return tuple(regions)


# Region, postal name, weight, team, [remote], cities with weights.
REGIONS = _regions("""
广东 广东省 160 south 广州30 深圳30 东莞12 佛山12 珠海5 汕头5 惠州6
江苏 江苏省 110 east 南京25 苏州25 无锡12 常州8 南通8 徐州8 扬州5
浙江 浙江省 90 east 杭州35 宁波20 温州15 绍兴8 嘉兴8 金华8
山东 山东省 100 east 济南20 青岛25 烟台10 潍坊10 临沂8 淄博6
上海 上海市 50 east 上海1
安徽 安徽省 60 east 合肥40 芜湖10 蚌埠6 安庆6
福建 福建省 45 east 福州25 厦门25 泉州20 漳州6
江西 江西省 40 east 南昌40 赣州12 九江8 上饶6
北京 北京市 45 north 北京1
天津 天津市 16 north 天津1
河北 河北省 60 north 石家庄25 唐山15 保定15 廊坊10 邯郸8
河南 河南省 80 north 郑州35 洛阳12 南阳8 新乡6 开封5
山西 山西省 28 north 太原45 大同10 运城6 长治6
辽宁 辽宁省 43 north 沈阳35 大连35 鞍山8 锦州5
吉林 吉林省 20 north 长春50 吉林15 四平5
黑龙江 黑龙江省 26 north 哈尔滨50 大庆12 齐齐哈尔8
陕西 陕西省 40 north 西安60 咸阳8 宝鸡6 榆林5
内蒙古 内蒙古自治区 17 north remote 呼和浩特35 包头25 鄂尔多斯15
新疆 新疆维吾尔自治区 16 north remote 乌鲁木齐55 昌吉6 喀什8
甘肃 甘肃省 15 north remote 兰州55 天水8 酒泉5
宁夏 宁夏回族自治区 5 north remote 银川60 石嘴山8
青海 青海省 4 north remote 西宁70 海东8
湖北 湖北省 58 south 武汉55 宜昌8 襄阳8 荆州5
湖南 湖南省 62 south 长沙40 株洲8 衡阳8 岳阳6
四川 四川省 84 south 成都60 绵阳8 宜宾5 南充5
重庆 重庆市 32 south 重庆1
广西 广西壮族自治区 40 south 南宁35 柳州12 桂林12
云南 云南省 38 south 昆明50 曲靖8 大理6
贵州 贵州省 27 south 贵阳45 遵义15 六盘水5
海南 海南省 10 south remote 海口50 三亚30
西藏 西藏自治区 2 south remote 拉萨70 日喀则8
""")
# Foreign residents cluster in the big coastal cities; other regions count half.
ENGLISH_REGION_FACTOR = {"上海": 6.0, "北京": 5.0, "广东": 3.0, "江苏": 2.0, "浙江": 2.0}
DISTRICTS = {  # municipalities: addresses name a district instead of a city
    "上海": _words("浦东新区 徐汇区 闵行区 静安区 长宁区 杨浦区 宝山区 普陀区"),
    "北京": _words("朝阳区 海淀区 丰台区 东城区 西城区 昌平区 通州区"),
    "天津": _words("和平区 南开区 河西区 滨海新区"),
    "重庆": _words("渝中区 江北区 南岸区 渝北区 沙坪坝区"),
}
ROADS = _words(
    "人民路 中山路 解放路 建设路 和平路 长江路 黄河路 新华路 文化路 朝阳路 东风路 光明路 "
    "学府路 滨河路 迎宾大道 世纪大道 南京路 青年路 湖滨路 科技路"
)
COMPOUNDS = _words(
    "阳光花园 锦绣华庭 翠湖苑 金色家园 滨江花园 幸福里 书香门第 绿地新城 御景湾 丽水雅苑 "
    "东方明珠苑 紫薇小区 海棠园 和谐家园 万象城"
)
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 "
    "176 177 180 181 182 183 185 186 187 188 189 198 199"
)
EMAIL_DOMAINS_ZH = _weighted("qq.com40 163.com30 126.com10 sina.com5 foxmail.com5 139.com5")
EMAIL_DOMAINS_EN = _weighted("gmail.com50 outlook.com25 hotmail.com10 yahoo.com5 icloud.com10")

# Team key, name, lead's username. Regions name their team; online serves online buyers.
TEAMS = (
    ("east", "华东服务组", "agent_east"),
    ("south", "华南服务组", "agent_south"),
    ("north", "华北服务组", "agent_north"),
    ("online", "线上服务组", "agent_online"),
)
# Username, role, team key, display name: the demo logins.
USERS = (
    ("admin", "admin", None, "系统管理员"),
    ("analyst", "analyst", None, "林晓雯"),
    ("agent_east", "agent", "east", "陈静"),
    ("agent_south", "agent", "south", "黄志强"),
    ("agent_north", "agent", "north", "赵磊"),
    ("agent_online", "agent", "online", "刘佳"),
    ("viewer", "viewer", None, "访客"),
)

# Key, name, description. Who falls in which: see people.py.
SEGMENTS = (
    ("regular", "普通客户", "有稳定购买记录的个人客户。"),
    ("high", "高价值客户", "购买频繁、客单价高的客户，享受优先服务。"),
    ("new", "新客户", "最近四个月内加入的客户。"),
    ("dormant", "沉睡客户", "超过一年没有购买的客户，适合唤醒营销。"),
    ("business", "企业客户", "以公司名义批量采购的客户。"),
)
TAGS = _words("VIP 会员 老客户 价格敏感 投诉过 推荐人 企业采购 以旧换新")
CUSTOMER_NOTES = (
    "偏好周末送货上门。",
    "家中有老人，电话沟通请耐心。",
    "要求开具增值税专用发票。",
    "曾参加以旧换新活动。",
    "只接受短信联系，不要打电话。",
    "对售后响应速度要求较高。",
)


class Product(NamedTuple):
    sku: str
    name: str
    name_en: str
    category: str
    price: int  # list price in yuan
    popularity: float  # 0: only sold with another product (accessories)
    defects: float  # relative rate of returns and defect complaints
    installed: bool  # needs a technician at home
    smart: bool  # works with the app
    accessory_for: str  # category whose buyers add this to their order


def _products(table: str) -> tuple[Product, ...]:
    products = []
    for line in table.strip().splitlines():
        sku, name, name_en, category, price, popularity, traits = line.split(" | ")
        flags = dict(t.partition("=")[::2] for t in traits.split() if t != "-")
        products.append(
            Product(
                sku, name, name_en, category, int(price), float(popularity),
                float(flags.get("defects", 1)), "installed" in flags, "smart" in flags,
                flags.get("for", ""),
            )
        )  # fmt: skip
    return tuple(products)


# SKU | name | English name | category | list price | popularity | traits
PRODUCTS = _products("""
MY-AP300 | 空气净化器 AP300 | AP300 air purifier | 环境电器 | 1299 | 6 | smart
MY-AP600 | 空气净化器 AP600 Pro | AP600 Pro air purifier | 环境电器 | 2599 | 3 | smart
MY-HU20 | 加湿器 HU20 | HU20 humidifier | 环境电器 | 299 | 4 | -
MY-DH12 | 除湿机 DH12 | DH12 dehumidifier | 环境电器 | 1199 | 2 | -
MY-BF5 | 无叶风扇 BF5 | BF5 bladeless fan | 环境电器 | 899 | 2 | defects=1.6
MY-HT8 | 取暖器 HT8 | HT8 heater | 环境电器 | 399 | 3 | -
MY-R5 | 扫地机器人 R5 | R5 robot vacuum | 清洁电器 | 1999 | 6 | smart
MY-R9 | 扫拖一体机器人 R9 Max | R9 Max robot vacuum | 清洁电器 | 3999 | 4 | defects=3.5 smart
MY-V8 | 无线吸尘器 V8 | V8 cordless vacuum | 清洁电器 | 1499 | 5 | -
MY-F3 | 洗地机 F3 | F3 floor washer | 清洁电器 | 2299 | 3 | defects=2
MY-M1 | 除螨仪 M1 | M1 mite remover | 清洁电器 | 399 | 2 | -
MY-IH40 | IH电饭煲 IH40 | IH40 induction rice cooker | 厨房电器 | 599 | 7 | -
MY-RC20 | 迷你电饭煲 RC20 | RC20 mini rice cooker | 厨房电器 | 249 | 4 | -
MY-K17 | 电热水壶 K17 | K17 electric kettle | 厨房电器 | 129 | 8 | -
MY-AF5 | 空气炸锅 AF5 | AF5 air fryer | 厨房电器 | 399 | 7 | -
MY-BL8 | 破壁料理机 BL8 | BL8 high-speed blender | 厨房电器 | 799 | 3 | -
MY-PC50 | 电压力锅 PC50 | PC50 pressure cooker | 厨房电器 | 499 | 3 | -
MY-MW23 | 微波炉 MW23 | MW23 microwave oven | 厨房电器 | 699 | 3 | -
MY-SM12 | 豆浆机 SM12 | SM12 soy milk maker | 厨房电器 | 359 | 2 | -
MY-RO600 | 净水器 RO600G | RO600G water purifier | 净水设备 | 2999 | 4 | installed smart
MY-RO1000 | 净水器 RO1000G | RO1000G purifier | 净水设备 | 4299 | 2 | defects=1.5 installed smart
MY-WD3 | 即热饮水机 WD3 | WD3 hot water dispenser | 净水设备 | 899 | 3 | -
MY-PF1 | 前置过滤器 PF1 | PF1 pre-filter | 净水设备 | 699 | 1 | installed
MY-L7 | 智能门锁 L7 | L7 smart door lock | 智能家居 | 1699 | 4 | defects=1.8 installed smart
MY-L9 | 人脸识别智能门锁 L9 Pro | L9 Pro face-ID lock | 智能家居 | 2799 | 2 | installed smart
MY-C2 | 智能摄像头 C2 | C2 smart camera | 智能家居 | 199 | 5 | smart
MY-S1 | 智能插座 S1 | S1 smart plug | 智能家居 | 59 | 4 | smart
MY-HD2 | 高速吹风机 HD2 | HD2 high-speed hair dryer | 个护电器 | 499 | 5 | -
MY-T3 | 电动牙刷 T3 | T3 electric toothbrush | 个护电器 | 229 | 5 | -
MY-SV5 | 电动剃须刀 SV5 | SV5 electric shaver | 个护电器 | 349 | 3 | -
MY-BUDS2 | 蓝牙耳机 Buds 2 | Buds 2 wireless earbuds | 数码音频 | 399 | 6 | defects=2.2 smart
MY-BUDSP | 降噪耳机 Buds Pro | Buds Pro ANC earbuds | 数码音频 | 899 | 3 | smart
MY-SP1 | 蓝牙音箱 SP1 | SP1 Bluetooth speaker | 数码音频 | 269 | 3 | -
MY-FLT-AP | 空气净化器滤网 | air purifier filter | 配件 | 199 | 0 | for=环境电器
MY-KIT-R | 扫地机器人耗材套装 | robot vacuum spare parts kit | 配件 | 129 | 0 | for=清洁电器
MY-FLT-V8 | 吸尘器滤芯 | vacuum cleaner filter | 配件 | 89 | 0 | for=清洁电器
MY-FLT-RO | 净水器复合滤芯 | water filter cartridge | 配件 | 399 | 0 | for=净水设备
MY-POT40 | 电饭煲内胆 | rice cooker inner pot | 配件 | 199 | 0 | for=厨房电器
MY-BAT-L | 门锁锂电池 | door lock battery pack | 配件 | 149 | 0 | for=智能家居
MY-CASE | 耳机保护套 | earbuds case | 配件 | 39 | 0 | for=数码音频
MY-HEAD | 牙刷替换刷头 | toothbrush heads | 配件 | 69 | 0 | for=个护电器
""")

MARKETPLACES = _weighted("天猫旗舰店40 京东自营旗舰店35 拼多多官方店12 抖音官方旗舰店13")
STORE_MALLS = _words("万达广场店 万象城店 苏宁广场店 国美旗舰店 银泰店 体验中心")
