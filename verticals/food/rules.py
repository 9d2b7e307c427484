"""The food module's rule pack: lot expiry and fresh-produce rules (FoodConfig declares it as `rules`).

Rules that move stock or change safety stock ship switched off (the tenant chooses); the deviation
escalations only notify and ship on.
"""

from __future__ import annotations

from typing import Any

DEVIATION_OVERDUE = "food.deviation_overdue"  # the trigger of the escalation rules (verticals/food/rule_fields.py)


FOOD_PACK: tuple[dict[str, Any], ...] = (
    {
        "key": "near_expiry_donation",
        "version": 1,
        "name": "临期批次转捐赠",
        "trigger": "lot.near_expiry",
        "text": '当批次剩余天数<=3时，创建单据"transfer"(destination="donation")',
        "active": False,
        "priority": 70,
        "description": "A lot three days or less from expiry is moved to the donation location.",
    },
    {
        "key": "rainy_weekend_leafy_greens",
        "version": 1,
        "name": "雨天周末叶菜安全库存上调",
        "trigger": "signal.weather_updated",
        "text": '当降水概率>=60且周末时，调整类别"叶菜"的安全库存15%持续2天',
        "active": False,
        "priority": 80,
        "description": "Rain on a weekend raises the leafy greens' safety stock by 15% for two days.",
    },
    {
        "key": "deviation_overdue_manager",
        "version": 1,
        "name": "偏差调查超期通知经理",
        "trigger": DEVIATION_OVERDUE,
        "text": '当偏差超期小时数>=0时，通知经理："温度偏差调查已超过 24 小时未处理"',
        "active": True,
        "priority": 50,
        "description": "A deviation investigation not decided within its deadline is escalated to the managers.",
    },
    {
        "key": "deviation_overdue_owner",
        "version": 1,
        "name": "偏差调查严重超期通知所有者",
        "trigger": DEVIATION_OVERDUE,
        "text": '当偏差超期小时数>=24或偏差批次数>=10时，通知所有者："温度偏差调查严重超期或影响批次多，请立即处理"',
        "active": True,
        "priority": 40,
        "description": "A deviation a day past its deadline, or holding ten lots or more, goes to the owner.",
    },
)
