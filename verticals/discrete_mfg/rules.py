"""The manufacturing rule pack (制造规则包): fields, triggers, context providers and the rules themselves.

Rules are written in the core's plain-language grammar. Document rules (ECO review/release, work-order
release/completion) run in the core transition hook with the contexts registered here; the MRP run and the
idle-stock scan record events whose subjects (planned orders, idle parts) this module expands.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from core.events.models import DomainEvent
from core.rules.catalog import EnumChoice, FieldSpec, FieldType, register_fields, register_triggers
from core.rules.events import EventSubject, register_event_subjects
from core.rules.transitions import calendar_context, register_context_provider

MODULE = "discrete_mfg"
N, B, E = FieldType.NUMBER, FieldType.BOOLEAN, FieldType.ENUM

FIELDS = (
    FieldSpec("eco.open_work_orders", N, "ECO影响在制工单", "ECO open work orders", ("ECO影响在制工单数",), module=MODULE),
    FieldSpec("eco.open_purchase_orders", N, "ECO影响采购单", "ECO open purchase orders", module=MODULE),
    FieldSpec("eco.idle_stock_value", N, "ECO呆滞库存金额", "ECO idle stock value", module=MODULE),
    FieldSpec("eco.moved_sales_orders", N, "ECO影响销售单", "ECO moved sales orders", module=MODULE),
    FieldSpec("eco.parents", N, "ECO影响上级件", "ECO parents reached", module=MODULE),
    FieldSpec("eco.cost_change_percent", N, "ECO成本变化率", "ECO cost change percent", module=MODULE),
    FieldSpec("eco.lead_time_change_days", N, "ECO交期变化天数", "ECO lead time change days", module=MODULE),
    FieldSpec("eco.removed_parts", N, "ECO删除零件数", "ECO removed parts", module=MODULE),
    FieldSpec("work_order.quantity", N, "工单数量", "work order quantity", module=MODULE),
    FieldSpec("work_order.waiting_components", N, "工单缺料种数", "work order waiting components", module=MODULE),
    FieldSpec("work_order.scrap_percent", N, "工单报废率", "work order scrap percent", module=MODULE),
    FieldSpec("work_order.days_late", N, "工单延误天数", "work order days late", module=MODULE),
    FieldSpec("work_order.labour_overrun_percent", N, "工时超标率", "labour overrun percent", module=MODULE),
    FieldSpec(
        "planned_order.kind",
        E,
        "计划订单类型",
        "planned order kind",
        choices=(EnumChoice("purchase", "计划采购", "planned purchase"), EnumChoice("work", "计划生产", "planned work order")),
        module=MODULE,
    ),
    FieldSpec("planned_order.p90_days_late", N, "交期P90晚于需求天数", "lead time P90 days late", module=MODULE),
    FieldSpec("planned_order.lead_time_spread_days", N, "交期波动天数", "lead time spread days", module=MODULE),
    FieldSpec("planned_order.release_overdue_days", N, "计划订单逾期下达天数", "release overdue days", module=MODULE),
    FieldSpec("planned_order.value", N, "计划订单金额", "planned order value", module=MODULE),
    FieldSpec("planned_order.in_cny_window", B, "交期跨春节", "lead time spans new year", module=MODULE),
    FieldSpec("planned_order.category", FieldType.STRING, "物料类别", "part category", module=MODULE),
    FieldSpec("planned_order.is_flagged", B, "订单已取消需求", "demand cancelled", module=MODULE),
    FieldSpec("idle.days", N, "呆滞天数", "idle days", module=MODULE),
    FieldSpec("idle.value", N, "呆滞金额", "idle value", module=MODULE),
    FieldSpec("idle.used_in_bom", B, "仍在BOM中使用", "still used in a BOM", module=MODULE),
    FieldSpec("idle.on_hand", N, "呆滞数量", "idle quantity", module=MODULE),
)

TRIGGERS = {
    "engineering_change.review": ("ECO 提交评审", "ECO sent to review"),
    "engineering_change.released": ("ECO 发布", "ECO released"),
    "work_order.released": ("工单下达", "work order released"),
    "work_order.completed": ("工单完工", "work order completed"),
    "mrp.planned": ("MRP 运行完成", "MRP run planned"),
    "mfg.idle_stock_scanned": ("呆滞库存扫描", "idle stock scanned"),
}


def _rule(
    key: str, name: str, trigger: str, text: str, description: str, *, active: bool = True, priority: int = 100
) -> dict[str, Any]:
    return {
        "key": key,
        "version": 1,
        "name": name,
        "trigger": trigger,
        "text": text,
        "active": active,
        "priority": priority,
        "description": description,
    }


R, WO, MRP, IDLE, REL = (
    "engineering_change.review",
    "work_order.released",
    "mrp.planned",
    "mfg.idle_stock_scanned",
    "work_order.completed",
)

PACK: tuple[dict[str, Any], ...] = (
    _rule(
        "eco_many_wip",
        "ECO 影响在制工单多需审批",
        R,
        '当ECO影响在制工单>5时，需要经理审批："ECO 影响在制工单超过 5 张，需工程经理审批"',
        "An ECO touching more than 5 open work orders needs the engineering manager.",
    ),
    _rule(
        "eco_idle_value",
        "ECO 产生大额呆滞需审批",
        R,
        '当ECO呆滞库存金额>=50000时，需要所有者审批："ECO 产生呆滞库存超过 5 万元"',
        "An ECO that strands ¥50,000 or more of stock needs the owner.",
    ),
    _rule(
        "eco_cost_up",
        "ECO 成本上升超百分之五需审批",
        R,
        '当ECO成本变化率>5时，需要经理审批："ECO 使成本上升超过 5％"',
        "A cost increase above 5 percent needs a manager.",
    ),
    _rule(
        "eco_cost_down_notice",
        "ECO 降本通知",
        R,
        '当ECO成本变化率<=-3时，通知经理："ECO 降本超过 3％"',
        "A saving of 3 percent or more is announced.",
    ),
    _rule(
        "eco_promise_moves",
        "ECO 推迟客户交期需审批",
        R,
        '当ECO影响销售单>0且ECO交期变化天数>0时，需要经理审批："ECO 将推迟客户交期"',
        "An ECO that moves a customer's promise date needs a manager.",
    ),
    _rule(
        "eco_open_po_notice",
        "ECO 影响在途采购通知采购",
        R,
        '当ECO影响采购单>0时，通知经理："ECO 删除的零件仍有未到货采购单：取消或转用"',
        "Open purchase orders for removed parts go to purchasing.",
    ),
    _rule(
        "eco_wide_reach",
        "ECO 影响上级件多需审批",
        R,
        '当ECO影响上级件>=20时，需要管理员审批："ECO 影响 20 个以上上级件"',
        "A change reaching 20 or more assemblies needs an admin.",
    ),
    _rule(
        "eco_lead_time_long",
        "ECO 交期延长超 7 天",
        R,
        '当ECO交期变化天数>7时，通知经理："ECO 使累计提前期延长 7 天以上"',
        "Cumulative lead time growing by more than a week is announced.",
    ),
    _rule(
        "eco_many_removed",
        "ECO 删除零件多需审批",
        R,
        '当ECO删除零件数>=10时，需要经理审批："ECO 删除 10 个以上零件"',
        "Removing ten or more parts needs a manager.",
    ),
    _rule(
        "eco_released_notice",
        "ECO 发布通知生产",
        "engineering_change.released",
        '当ECO影响在制工单>0时，通知经理："ECO 已发布：在制工单按旧版本完工或改制"',
        "On release, production hears about the open work orders.",
    ),
    _rule(
        "wo_short_release",
        "缺料工单下达需审批",
        WO,
        '当工单缺料种数>=3时，需要经理审批："工单缺 3 种以上物料仍要下达"',
        "Releasing a work order missing 3 or more components needs a manager.",
    ),
    _rule(
        "wo_short_notice",
        "工单缺料通知仓库",
        WO,
        '当工单缺料种数>0且工单缺料种数<3时，通知经理："工单下达时仍缺料"',
        "A few missing components are announced to the stores.",
    ),
    _rule(
        "wo_big_batch",
        "大批量工单需审批",
        WO,
        '当工单数量>=1000时，需要经理审批："批量 1000 以上的工单"',
        "Batches of 1,000 or more need a manager.",
    ),
    _rule(
        "wo_late_release",
        "工单下达已延误",
        WO,
        '当工单延误天数>0时，通知经理："工单下达时已晚于计划开工"',
        "A release after the planned start is announced.",
    ),
    _rule(
        "wo_high_scrap",
        "工单报废率超百分之五通知质量",
        REL,
        '当工单报废率>5时，通知经理："工单报废率超过 5％，请质量分析"',
        "Scrap above 5 percent goes to quality.",
    ),
    _rule(
        "wo_very_high_scrap",
        "工单报废率超百分之十五通知所有者",
        REL,
        '当工单报废率>15时，通知所有者："工单报废率超过 15％"',
        "Scrap above 15 percent reaches the owner.",
    ),
    _rule(
        "wo_labour_overrun",
        "工时超标百分之二十",
        REL,
        '当工时超标率>20时，通知经理："实际工时超出标准 20％ 以上"',
        "Labour 20 percent over standard is announced.",
    ),
    _rule(
        "expedite_p90_late",
        "交期 P90 晚于需求：催货",
        MRP,
        '当交期P90晚于需求天数>0且计划订单类型为计划采购时，通知经理："预测交期 P90 晚于需求日期：请催货"',
        "Predicted P90 arrival later than the need date triggers expediting.",
    ),
    _rule(
        "expedite_p90_very_late",
        "交期 P90 晚于需求 7 天以上",
        MRP,
        '当交期P90晚于需求天数>7时，通知所有者："预测交期晚于需求一周以上"',
        "More than a week late reaches the owner.",
    ),
    _rule(
        "release_overdue",
        "计划订单逾期未下达",
        MRP,
        '当计划订单逾期下达天数>0时，通知经理："计划订单已过下达日期"',
        "A planned order past its release date is announced.",
    ),
    _rule(
        "volatile_lead_time",
        "交期波动大",
        MRP,
        '当交期波动天数>=15时，通知经理："该料交期 P10–P90 相差 15 天以上：考虑提高安全库存"',
        "A wide lead-time band suggests more safety stock.",
    ),
    _rule(
        "cny_window",
        "交期跨春节停工",
        MRP,
        '当交期跨春节且计划订单类型为计划采购时，通知经理："交期跨春节停工期：提前下单"',
        "A purchase whose lead time spans the New Year shutdown is ordered early.",
    ),
    _rule(
        "mould_long_lead",
        "模具类长交期提醒",
        MRP,
        '当物料类别包含"模具"且交期P90晚于需求天数>-14时，通知经理："模具交期紧张：两周内可能不够"',
        "Moulds and tools have their own lead-time logic: two weeks of margin.",
    ),
    _rule(
        "large_planned_purchase",
        "大额计划采购需审批",
        MRP,
        '当计划订单金额>=100000且计划订单类型为计划采购时，通知所有者："计划采购超过 10 万元"',
        "A planned purchase of ¥100,000 or more is shown to the owner.",
    ),
    _rule(
        "cancelled_demand",
        "已取消订单的计划供应",
        MRP,
        '当订单已取消需求时，通知经理："客户订单已取消：停止该计划供应"',
        "Supply pegged to a cancelled customer order is stopped.",
    ),
    _rule(
        "idle_180_return",
        "呆滞 180 天：退货或出售",
        IDLE,
        '当呆滞天数>180且非仍在BOM中使用时，通知经理："呆滞超过 180 天：建议退货或出售"',
        "Idle stock older than 180 days is proposed for return or sale.",
    ),
    _rule(
        "idle_90_reuse",
        "呆滞 90 天：优先转用",
        IDLE,
        '当呆滞天数>90且仍在BOM中使用时，通知经理："呆滞 90 天：在用 BOM 优先消耗"',
        "Idle stock still in a BOM is consumed first.",
    ),
    _rule(
        "idle_big_value",
        "大额呆滞",
        IDLE,
        '当呆滞金额>=20000且呆滞天数>60时，通知所有者："呆滞库存超过 2 万元"',
        "Idle stock worth ¥20,000 or more reaches the owner.",
    ),
)


# --- contexts --------------------------------------------------------------------------------------------


def eco_context(eco: Any) -> dict[str, Any]:
    from verticals.discrete_mfg.impact import eco_impact

    summary = eco_impact(eco).summary()
    return {"eco": {key: Decimal(str(value)) if key not in ("parents",) else value for key, value in summary.items()}}


def work_order_context(order: Any) -> dict[str, Any]:
    from verticals.discrete_mfg.work_orders import shortages

    waiting, _total = shortages(order)
    done = order.completed_quantity + order.scrapped_quantity
    standard = sum((op.standard_minutes for op in order.operations.all()), Decimal(0))
    actual = sum((op.actual_minutes for op in order.operations.all()), Decimal(0))
    today = timezone.localdate()
    return {
        "work_order": {
            "quantity": order.quantity,
            "waiting_components": waiting,
            "scrap_percent": (order.scrapped_quantity / done * 100) if done else Decimal(0),
            "days_late": max((today - order.start_date).days, 0) if order.start_date else 0,
            "labour_overrun_percent": ((actual - standard) / standard * 100) if standard else Decimal(0),
        }
    }


def planned_order_subjects(event: DomainEvent) -> list[EventSubject]:
    """One subject per planned order of the run at risk or due: the model's P90 against the need date."""
    from verticals.discrete_mfg.ml.lead_time import shutdown_overlap

    run_id = (event.payload or {}).get("run_id")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.kind, p.quantity, p.release_on, p.due_on, p.lead_time_days, p.flagged,
                   pr.p10, pr.p90, COALESCE(c.name, ''), COALESCE(m.standard_cost, 0), i.sku
              FROM discrete_mfg_plannedorder p
              JOIN catalog_item i ON i.id = p.item_id
              LEFT JOIN catalog_category c ON c.id = i.category_id
              LEFT JOIN discrete_mfg_mfgitem m ON m.item_id = p.item_id
              LEFT JOIN discrete_mfg_leadtimeprediction pr ON pr.item_id = p.item_id
             WHERE p.run_id = %s AND (p.release_on <= %s OR p.flagged OR pr.p90 IS NOT NULL)
            """,
            [run_id, event.occurred_at.date() + timedelta(days=14)],
        )
        rows = cursor.fetchall()
    today = timezone.localdate(event.occurred_at)
    subjects = []
    for pk, kind, quantity, release, due, lead, flagged, p10, p90, category, cost, sku in rows:
        arrival_p90 = max(release, today) + timedelta(days=float(p90 if p90 is not None else lead))
        cny, _golden = shutdown_overlap(max(release, today), float(p90 if p90 is not None else lead))
        context = {
            "planned_order": {
                "kind": kind,
                "p90_days_late": (arrival_p90 - due).days,
                "lead_time_spread_days": (p90 - p10) if p90 is not None and p10 is not None else 0,
                "release_overdue_days": max((today - (due - timedelta(days=lead))).days, 0),  # before clamping to today
                "value": Decimal(quantity) * Decimal(cost),
                "in_cny_window": cny > 0,
                "category": category,
                "is_flagged": flagged,
            },
            "calendar": calendar_context(today),
        }
        subjects.append(EventSubject("planned_order", str(pk), None, context, label=f"{sku} {due.isoformat()}"))
    return subjects


def idle_subjects(event: DomainEvent) -> list[EventSubject]:
    """Parts on hand that no move has touched for `min_days` days, with their value and whether a BOM uses them."""
    min_days = int((event.payload or {}).get("min_days", 60))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH last_move AS (
                SELECT item_id, max(occurred_at) AS at FROM inventory_stockmove GROUP BY item_id
            )
            SELECT i.id, i.sku, SUM(s.on_hand), COALESCE(MAX(v.average_cost), 0), MAX(lm.at),
                   EXISTS (SELECT 1 FROM discrete_mfg_bomline l JOIN discrete_mfg_bomversion b ON b.id = l.bom_id
                            WHERE l.component_id = i.id AND b.state = 'released')
              FROM inventory_stocklevel s
              JOIN locations_location loc ON loc.id = s.location_id AND loc.kind = 'internal'
              JOIN catalog_item i ON i.id = s.item_id
              JOIN last_move lm ON lm.item_id = i.id
              LEFT JOIN inventory_itemvaluation v ON v.item_id = i.id
             GROUP BY i.id, i.sku HAVING SUM(s.on_hand) > 0 AND MAX(lm.at) < %s
            """,
            [event.occurred_at - timedelta(days=min_days)],
        )
        rows = cursor.fetchall()
    subjects = []
    for pk, sku, on_hand, cost, last, used in rows:
        context = {
            "idle": {
                "days": (event.occurred_at - last).days,
                "value": Decimal(on_hand) * Decimal(cost),
                "used_in_bom": used,
                "on_hand": on_hand,
            },
            "calendar": calendar_context(timezone.localdate(event.occurred_at)),
        }
        subjects.append(EventSubject("item", str(pk), None, context, label=sku))
    return subjects


def register() -> None:
    register_fields(*FIELDS)
    register_triggers(TRIGGERS)
    register_context_provider("engineering_change", eco_context)
    register_context_provider("work_order", work_order_context)
    register_event_subjects("mrp.planned", planned_order_subjects)
    register_event_subjects("mfg.idle_stock_scanned", idle_subjects)
