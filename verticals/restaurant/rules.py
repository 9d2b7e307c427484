"""The restaurant rule pack (餐饮规则包) and the rule fields it reads, in the plain-language grammar.

Each rule's trigger is a restaurant event whose context carries the fields below (the spoilage check of a
lot, a computed usage variance, a waste record, a prep list, a costed dish, a solved schedule, a par check).
Rules that only warn ship switched on; rules that block ship switched off, for the tenant to choose. The one
document rule (variance above 5 % opens a recount) ships on: it opens a draft count and posts nothing.
"""

from __future__ import annotations

from typing import Any

from core.rules.catalog import EnumChoice, FieldSpec, FieldType

M = "restaurant"
N, E, S = FieldType.NUMBER, FieldType.ENUM, FieldType.STRING


def _enum(*choices: tuple[str, str, str]) -> tuple[EnumChoice, ...]:
    return tuple(EnumChoice(value, zh, en) for value, zh, en in choices)


PROCESS_METHODS = _enum(
    ("raw", "生鲜", "raw"),
    ("chopped", "剁椒", "chopped"),
    ("sliced", "切片", "sliced"),
    ("marinated", "腌制", "marinated"),
    ("steamed", "清蒸", "steamed"),
    ("braised", "卤制", "braised"),
    ("fried", "油炸", "fried"),
    ("cured", "腊制", "cured"),
    ("frozen", "冷冻", "frozen"),
)
INGREDIENT_GROUPS = _enum(
    ("fish", "鲜鱼", "fish"),
    ("seafood", "海鲜", "seafood"),
    ("meat", "肉类", "meat"),
    ("offal", "内脏", "offal"),
    ("vegetable", "蔬菜", "vegetable"),
    ("tofu", "豆制品", "tofu"),
    ("sauce", "酱料", "sauce"),
    ("broth", "汤底", "broth"),
    ("dairy", "乳制品", "dairy"),
    ("dry", "干货", "dry goods"),
)
WASTE_REASONS = _enum(
    ("spoiled", "变质", "spoiled"),
    ("expired", "过期", "expired"),
    ("overproduction", "备多了", "overproduction"),
    ("dropped", "意外损坏", "dropped"),
    ("returned", "客人退菜", "returned"),
    ("trim", "超标修整", "excess trim"),
)

RESTAURANT_FIELDS = (
    FieldSpec(
        "lot.hours_since_prep", N, "距加工小时数", "hours since prep", ("加工后小时数",), ("hours since preparation",), module=M
    ),
    FieldSpec("lot.storage_temp_c", N, "储存温度", "storage temperature", ("存放温度",), ("storage temp",), module=M),
    FieldSpec("lot.humidity_pct", N, "储存湿度", "storage humidity", ("湿度",), ("humidity",), module=M),
    FieldSpec("lot.spoil_probability", N, "变质概率", "spoilage probability", ("腐败概率",), ("spoil probability",), module=M),
    FieldSpec("lot.expected_waste_pct", N, "预计损耗率", "expected waste pct", (), ("expected waste percent",), module=M),
    FieldSpec("lot.shelf_life_left_pct", N, "剩余保鲜期比例", "shelf life left pct", (), ("remaining shelf life pct",), module=M),
    FieldSpec(
        "lot.process_method", E, "加工方式", "processing method", ("处理方式",), ("process method",), PROCESS_METHODS, module=M
    ),
    FieldSpec(
        "lot.ingredient_group",
        E,
        "食材类别",
        "ingredient group",
        ("原料类别",),
        ("ingredient type",),
        INGREDIENT_GROUPS,
        module=M,
    ),
    FieldSpec("variance.pct", N, "用量差异率", "usage variance pct", ("差异率",), ("variance pct",), module=M),
    FieldSpec("variance.value", N, "差异金额", "variance value", (), ("variance amount",), module=M),
    FieldSpec("waste.quantity", N, "报损数量", "waste quantity", module=M),
    FieldSpec("waste.value", N, "报损金额", "waste value", (), ("waste amount",), module=M),
    FieldSpec("waste.reason", E, "报损原因", "waste reason", (), (), WASTE_REASONS, module=M),
    FieldSpec("waste.daily_rate_pct", N, "当日损耗率", "daily waste rate", (), ("daily waste pct",), module=M),
    FieldSpec("pos.review_count", N, "待处理POS行数", "pos lines in review", (), ("review queue size",), module=M),
    FieldSpec("pos.void_pct", N, "退菜率", "void rate", (), ("void pct",), module=M),
    FieldSpec("prep.forecast_covers", N, "预计客流", "forecast covers", ("预计客数",), ("expected covers",), module=M),
    FieldSpec("prep.change_pct", N, "客流变化率", "covers change pct", (), ("covers change",), module=M),
    FieldSpec("dish.margin_pct", N, "菜品毛利率", "dish margin pct", ("毛利率",), ("margin pct",), module=M),
    FieldSpec("dish.cost_change_pct", N, "成本变化率", "cost change pct", (), ("dish cost change",), module=M),
    FieldSpec("dish.price", N, "菜品售价", "dish price", module=M),
    FieldSpec("schedule.unmet_slots", N, "未满足时段数", "unmet slots", (), ("uncovered slots",), module=M),
    FieldSpec("schedule.overtime_hours", N, "加班小时数", "overtime hours", module=M),
    FieldSpec("schedule.fatigue_penalty", N, "疲劳罚分", "fatigue penalty", module=M),
    FieldSpec("staff.consecutive_hours", N, "连续工作小时", "consecutive hours", (), ("hours in a row",), module=M),
    FieldSpec("staff.weekly_hours", N, "周工时", "weekly hours", module=M),
    FieldSpec("staff.rest_hours", N, "班次间隔小时", "rest between shifts", (), ("rest hours",), module=M),
    FieldSpec("par.cover_pct", N, "标准库存覆盖率", "par cover pct", (), ("par coverage",), module=M),
    FieldSpec("outlet.code", S, "门店编码", "outlet code", module=M),
)

RESTAURANT_TRIGGERS = {
    "restaurant.lot_checked": ("批次损耗检查", "lot spoilage checked"),
    "restaurant.variance_computed": ("用量差异计算完成", "usage variance computed"),
    "restaurant.waste_recorded": ("报损登记", "waste recorded"),
    "restaurant.pos_reviewed": ("POS 待处理汇总", "POS review summary"),
    "restaurant.prep_list_built": ("备料清单生成", "prep list built"),
    "restaurant.dish_costed": ("菜品成本核算", "dish costed"),
    "restaurant.schedule_solved": ("排班完成", "schedule solved"),
    "restaurant.par_checked": ("标准库存检查", "par checked"),
}

LOT, VAR, WASTE, POS = (
    "restaurant.lot_checked",
    "restaurant.variance_computed",
    "restaurant.waste_recorded",
    "restaurant.pos_reviewed",
)
PREP, DISH, SCHED, PAR = (
    "restaurant.prep_list_built",
    "restaurant.dish_costed",
    "restaurant.schedule_solved",
    "restaurant.par_checked",
)

# (key, trigger, name, text, active)
_RULES: tuple[tuple[str, str, str, str, bool], ...] = (
    # --- spoilage and "use first" (先用先出) ---
    (
        "fish_2h_above_4c_use_first",
        LOT,
        "鲜鱼加工超 2 小时且高于 4°C 优先使用",
        '当食材类别为鲜鱼且距加工小时数>2且储存温度>4时，添加标签"优先使用"',
        True,
    ),
    (
        "chopped_chilli_fish_head_2h",
        LOT,
        "剁椒类加工超 2 小时提醒",
        '当加工方式为剁椒且距加工小时数>=2时，添加标签"优先使用"，通知经理："剁椒类批次已放置超过 2 小时"',
        True,
    ),
    (
        "steamed_4h_discard_check",
        LOT,
        "清蒸成品超 4 小时检查",
        '当加工方式为清蒸且距加工小时数>4时，通知经理："清蒸成品已超过 4 小时，请检查是否报损"',
        True,
    ),
    (
        "high_spoil_probability_alert",
        LOT,
        "变质概率超 60% 预警",
        '当变质概率>=60时，通知经理："批次变质风险高，请优先使用或报损"',
        True,
    ),
    (
        "medium_spoil_probability_use_first",
        LOT,
        "变质概率 30–60% 优先使用",
        '当变质概率>=30且变质概率<60时，添加标签"优先使用"',
        True,
    ),
    (
        "seafood_warm_storage",
        LOT,
        "海鲜储存温度过高",
        '当食材类别属于(鲜鱼,海鲜)且储存温度>5时，通知经理："海鲜储存温度超过 5°C"',
        True,
    ),
    ("meat_warm_storage", LOT, "肉类储存温度过高", '当食材类别为肉类且储存温度>7时，通知经理："肉类储存温度超过 7°C"', True),
    ("offal_12h", LOT, "内脏加工超 12 小时", '当食材类别为内脏且距加工小时数>12时，添加标签"优先使用"', True),
    (
        "humid_dry_goods",
        LOT,
        "干货受潮风险",
        '当食材类别为干货且储存湿度>75时，添加标签"防潮"，通知经理："干货储存湿度超过 75%"',
        True,
    ),
    ("greens_humidity_low", LOT, "蔬菜湿度过低易萎蔫", '当食材类别为蔬菜且储存湿度<60时，添加标签"补湿"', True),
    ("tofu_24h", LOT, "豆制品加工超 24 小时", '当食材类别为豆制品且距加工小时数>24时，添加标签"优先使用"', True),
    (
        "broth_48h_block",
        LOT,
        "汤底超 48 小时禁止使用",
        '当食材类别为汤底且距加工小时数>48时，阻止："汤底超过 48 小时不得出品"',
        False,
    ),
    ("shelf_life_left_20pct", LOT, "剩余保鲜期不足 20%", '当剩余保鲜期比例<20时，添加标签"优先使用"', True),
    (
        "expected_waste_over_25pct",
        LOT,
        "预计损耗超 25%",
        '当预计损耗率>25时，通知经理："该批次预计有四分之一以上用不完，考虑减量订货"',
        True,
    ),
    ("marinated_warm", LOT, "腌制品温度过高", '当加工方式为腌制且储存温度>4且距加工小时数>6时，添加标签"优先使用"', True),
    ("dairy_warm", LOT, "乳制品超温", '当食材类别为乳制品且储存温度>6时，通知经理："乳制品储存温度超过 6°C"', True),
    # --- usage variance (理论/实际用量差异) ---
    (
        "variance_over_5pct_count",
        VAR,
        "用量差异超 5% 发起盘点",
        '当用量差异率>5时，创建单据"cycle_count"(scope="variance_items")',
        True,
    ),
    (
        "variance_over_5pct_notify",
        VAR,
        "用量差异超 5% 通知",
        '当用量差异率>5时，通知经理："原料实际用量比配方多出 5% 以上，请复盘"',
        True,
    ),
    (
        "variance_negative_5pct",
        VAR,
        "实际用量低于理论 5%",
        '当用量差异率<-5时，通知经理："实际用量比配方少 5% 以上，检查配方或出品份量"',
        True,
    ),
    ("variance_value_over_500", VAR, "差异金额超 500 元", '当差异金额>500时，需要所有者审批："用量差异金额超过 500 元"', True),
    # --- waste (报损) ---
    (
        "waste_value_over_300_approval",
        WASTE,
        "单笔报损超 300 元需审批",
        '当报损金额>300时，需要经理审批："单笔报损金额超过 300 元"',
        True,
    ),
    (
        "waste_value_over_1000_owner",
        WASTE,
        "单笔报损超 1000 元需所有者审批",
        '当报损金额>1000时，需要所有者审批："大额报损"',
        True,
    ),
    ("waste_spoiled_tag", WASTE, "变质报损标记", '当报损原因为变质时，添加标签"变质"', True),
    (
        "waste_overproduction_notify",
        WASTE,
        "备多了的报损提醒",
        '当报损原因为备多了且报损金额>100时，通知经理："备料过量造成报损，请调低备料系数"',
        True,
    ),
    ("daily_waste_rate_over_5pct", WASTE, "当日损耗率超 5%", '当当日损耗率>5时，通知所有者："今日损耗率超过 5%"', True),
    ("waste_returned_tag", WASTE, "退菜报损标记", '当报损原因为客人退菜时，添加标签"退菜"', True),
    # --- POS ---
    (
        "pos_review_over_20",
        POS,
        "POS 待处理超 20 行",
        '当待处理POS行数>20时，通知经理："POS 有超过 20 行未识别菜品，扣料不完整"',
        True,
    ),
    ("void_rate_over_3pct", POS, "退菜率超 3%", '当退菜率>3时，通知经理："退菜率超过 3%"', True),
    # --- prep (备料) ---
    (
        "rainy_weekend_prep",
        PREP,
        "雨天周末备料提醒",
        '当周末且降水概率>=60时，添加标签"雨天周末"，通知经理："雨天周末，外卖增多，堂食备料下调"',
        True,
    ),
    ("holiday_prep_up", PREP, "节假日备料上调", '当节假日时，添加标签"节假日备料"', True),
    (
        "covers_jump_30pct",
        PREP,
        "客流预测上升 30%",
        '当客流变化率>30时，通知经理："明日预计客流上升 30% 以上，请加备料与排班"',
        True,
    ),
    (
        "covers_drop_30pct",
        PREP,
        "客流预测下降 30%",
        '当客流变化率<-30时，通知经理："明日预计客流下降 30% 以上，请减少备料"',
        True,
    ),
    ("hot_day_cold_dishes", PREP, "高温天气凉菜加量", '当气温>=32时，添加标签"高温"', True),
    ("big_day_covers_over_500", PREP, "预计客流超 500", '当预计客流>500时，需要经理审批："大客流日的备料计划"', False),
    # --- menu and cost (菜品成本) ---
    ("low_margin_dish", DISH, "菜品毛利率低于 55%", '当菜品毛利率<55时，通知经理："菜品毛利率低于 55%"', True),
    ("cost_up_10pct", DISH, "菜品成本上涨 10%", '当成本变化率>10时，通知所有者："菜品成本上涨超过 10%，考虑调价"', True),
    ("negative_margin_block", DISH, "负毛利菜品", '当菜品毛利率<0时，添加标签"亏本菜"，需要所有者审批："菜品售价低于成本"', True),
    # --- scheduling (排班) ---
    (
        "unmet_slots_notify",
        SCHED,
        "排班有未满足时段",
        'when unmet slots > 0 then notify manager: "Some time slots are understaffed"',
        True,
    ),
    (
        "overtime_over_20h",
        SCHED,
        "Overtime above 20 hours",
        'when overtime hours > 20 then require approval from owner because "Overtime above 20 hours this week"',
        True,
    ),
    ("consecutive_over_8h", SCHED, "More than 8 hours in a row", 'when consecutive hours > 8 then add tag "fatigue"', True),
    (
        "weekly_over_44h",
        SCHED,
        "Weekly hours above 44",
        'when weekly hours > 44 then notify manager: "A staff member is scheduled above 44 hours"',
        True,
    ),
    (
        "rest_under_11h",
        SCHED,
        "Less than 11 hours rest",
        'when rest between shifts < 11 then block because "Legal rest between shifts is 11 hours"',
        False,
    ),
    (
        "fatigue_penalty_high",
        SCHED,
        "High fatigue penalty",
        'when fatigue penalty >= 50 then notify manager: "The schedule has a high fatigue penalty"',
        True,
    ),
    # --- par levels (标准库存) ---
    (
        "par_cover_under_50",
        PAR,
        "Below half of par",
        'when par cover pct < 50 then notify manager: "Stock is below half of par"',
        True,
    ),
    ("par_cover_over_200", PAR, "Twice the par", 'when par cover pct > 200 then add tag "overstock"', True),
    (
        "par_cover_under_50_weekend",
        PAR,
        "Below par before a weekend",
        'when par cover pct < 80 and weekend then add tag "restock before weekend"',
        True,
    ),
)

RESTAURANT_RULES: tuple[dict[str, Any], ...] = tuple(
    {
        "key": key,
        "version": 1,
        "name": name,
        "trigger": trigger,
        "text": text,
        "language": "en" if text.startswith("when") else "zh",
        "active": active,
        "priority": 100 + index,
        "description": name,
    }
    for index, (key, trigger, name, text, active) in enumerate(_RULES)
)
