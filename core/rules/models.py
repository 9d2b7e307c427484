"""Rules, their immutable versions, the evaluation audit log, the action idempotency log and what actions leave behind."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Rule(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    # An event type such as "sales_order.confirmed", or "cron:<5-field schedule>".
    trigger = models.CharField(max_length=120, db_index=True)
    module = models.CharField(max_length=40, default="core")
    priority = models.IntegerField(default=100, help_text="Lower runs first.")
    active = models.BooleanField(default=True)
    active_from = models.DateTimeField(null=True, blank=True)
    active_until = models.DateTimeField(null=True, blank=True)
    current_version = models.ForeignKey("RuleVersion", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("priority", "pk")
        indexes = [models.Index(fields=("trigger", "active"), name="rules_rule_trigger_active")]

    def __str__(self) -> str:
        return self.name


class RuleVersion(models.Model):
    """Immutable: an edit or a rollback appends a new version; nothing updates a saved one."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    condition = models.JSONField()
    actions = models.JSONField()
    source_text = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="zh")
    author = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    diff = models.JSONField(default=list, help_text="Readable changes against the previous version.")
    rolled_back_from = models.PositiveIntegerField(null=True, blank=True, help_text="The version number this one copies.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("rule", "number")
        constraints = [models.UniqueConstraint(fields=("rule", "number"), name="rules_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.number}"


class RuleEvaluation(models.Model):
    """Audit: one row per rule evaluated for an event, written in one batch per event."""

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="evaluations")
    event_id = models.CharField(max_length=64, blank=True, db_index=True)
    event_type = models.CharField(max_length=120)
    subject_type = models.CharField(max_length=80, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    matched = models.BooleanField()
    actions_taken = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    duration_us = models.PositiveIntegerField()
    evaluated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-evaluated_at", "-pk")
        indexes = [models.Index(fields=("subject_type", "subject_id"), name="rules_eval_subject")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.subject_type}#{self.subject_id} matched={self.matched}"


class RuleActionLog(models.Model):
    """Idempotency: the row is claimed (inserted) before its action runs, so a redelivered event runs it once."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="action_logs")
    subject_type = models.CharField(max_length=80)
    subject_id = models.CharField(max_length=64)
    event_id = models.CharField(max_length=64)
    action_index = models.PositiveSmallIntegerField()
    action_type = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    attempts = models.PositiveSmallIntegerField(default=1)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("version", "subject_type", "subject_id", "event_id", "action_index"), name="rules_action_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action_type} #{self.action_index} for {self.event_id}: {self.status}"


class ApprovalRequest(models.Model):
    """Left by require_approval: the subject's transition stays blocked until someone with the role approves.

    A request opened by a vetoed transition records that transition (from_state → to_state, requested_by), so
    approving it retries the transition as the approver (core/rules/approvals.py).
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="approval_requests")
    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="+")
    subject_type = models.CharField(max_length=80)
    subject_id = models.CharField(max_length=64)
    role = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    event_id = models.CharField(max_length=64, blank=True)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    requested_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("status", "role"), name="rules_approval_status_role")]
        constraints = [
            models.UniqueConstraint(
                fields=("rule", "subject_type", "subject_id"),
                condition=Q(status="pending"),
                name="rules_one_pending_approval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} approval of {self.subject_type}#{self.subject_id}: {self.status}"


class RuleNotification(models.Model):
    """Left by notify: an inbox entry for a role or a named channel."""

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=80, blank=True)
    message = models.TextField()
    subject_type = models.CharField(max_length=80, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    event_id = models.CharField(max_length=64, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"to {self.role or self.channel}: {self.message[:40]}"


class RulePackEntry(models.Model):
    """Which module pack rule a tenant rule came from: reloading a pack neither duplicates nor overwrites it.

    `rule` turns null when the tenant deletes the rule, so a reload does not bring back what the tenant removed.
    """

    pack = models.CharField(max_length=40)
    key = models.CharField(max_length=80)
    pack_version = models.PositiveIntegerField()
    rule = models.OneToOneField(Rule, null=True, on_delete=models.SET_NULL, related_name="pack_entry")
    # The version the pack wrote last; a current version other than this one means the tenant edited the rule.
    loaded_version = models.ForeignKey(RuleVersion, null=True, on_delete=models.SET_NULL, related_name="+")
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("pack", "key"), name="rules_pack_entry_unique_key")]

    def __str__(self) -> str:
        return f"{self.pack}/{self.key} v{self.pack_version}"


class ScheduledRuleRun(models.Model):
    """One row per (rule version, schedule slot) that ran: the idempotency key of scheduled rules."""

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="scheduled_runs")
    slot = models.DateTimeField()
    ran_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-slot", "-pk")
        constraints = [models.UniqueConstraint(fields=("version", "slot"), name="rules_scheduled_run_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.version_id} @ {self.slot:%Y-%m-%d %H:%M}"
