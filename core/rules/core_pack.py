"""The core module's rule pack (data only; CoreConfig declares it as `rules`, core.rules.packs loads it)."""

from __future__ import annotations

from typing import Any

# The core pack. The board-approval pair ships on: it sits above purchasing's own manager threshold and lets an
# urgent purchase through while the material's price swings.
CORE_PACK: tuple[dict[str, Any], ...] = (
    {
        "key": "large_purchase_approval",
        "version": 1,
        "name": "大额采购审批（价格波动例外）",
        "trigger": "purchase_order.submitted",
        "text": '当采购金额>=50000且非(加急采购且价格日涨跌幅>3)时，需要所有者审批："大额采购需董事会审批"',
        "active": True,
        "priority": 50,
        "description": "Purchases of 50,000 or more need the board (owner), unless urgent while prices move over 3% a day.",
    },
    {
        "key": "urgent_volatile_purchase_notice",
        "version": 1,
        "name": "加急采购价格波动通知",
        "trigger": "purchase_order.submitted",
        "text": '当采购金额>=50000且加急采购且价格日涨跌幅>3时，通知所有者："加急大额采购在价格波动中免审批，请关注"',
        "active": True,
        "priority": 51,
        "description": "The exception above tells the owner instead of waiting for approval.",
    },
    {
        "key": "vip_airport_air_freight",
        "version": 1,
        "name": "VIP 机场订单空运优先",
        "trigger": "sales_order.confirmed",
        "text": '当客户等级为VIP且订单金额>20000且收货地址包含"机场"时，设置配送方式为空运优先',
        "active": True,
        "priority": 60,
        "description": "Large VIP orders delivered to an airport ship by air priority.",
    },
)
