"""Forms only parse input; the services decide. Structured term fields are entered as one line per group.

Each registry action (negotiation/workflow.py) has exactly one form here; the API's input for that
action is derived from it (core.workflow_api), and the generic action page adds `expected_state`."""
from __future__ import annotations

import re
import secrets

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from accounts.models import Organisation
from core.forms import DateBoundMixin

from .models import EMPLOYER_BASES, UNION_BASES, ChiefBasis, TermKind

DATE = forms.DateInput(attrs={"type": "date"})


class KeyedForm(forms.Form):
    """Carries a one-time submission key so a double-submitted form creates nothing twice."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", secrets.token_urlsafe(16))


TERM_HELP = _("一般为1至3年（集体合同规定第38条）；起始日计入，年数按民法典第202条计算（2024年2月29日起3年至2027年2月28日）")
TERM_CONFIRM_LABEL = _("双方确认：合同期限超出一般1至3年")
TERM_CONFIRM_HELP = _("集体合同规定第38条规定期限“一般为1至3年”；期限在此之外时须勾选确认，否则不能保存。")


class NegotiationForm(DateBoundMixin, KeyedForm):
    title = forms.CharField(label=_("协商事项"), max_length=200, initial=_("专项集体合同（工资与工时）"))
    union = forms.ModelChoiceField(label=_("发起协商的基层工会"), queryset=Organisation.objects.none())
    employer = forms.ModelChoiceField(label=_("用人单位"), queryset=Organisation.objects.none())
    headcount = forms.IntegerField(label=_("覆盖职工人数"), min_value=1, required=False)
    term_start = forms.DateField(label=_("合同期限起"), required=False, widget=DATE)
    term_end = forms.DateField(label=_("合同期限止"), required=False, widget=DATE, help_text=TERM_HELP)
    term_confirmed = forms.BooleanField(label=TERM_CONFIRM_LABEL, required=False, help_text=TERM_CONFIRM_HELP)

    def __init__(self, *args, employers=None, unions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers if employers is not None else Organisation.objects.none()
        if unions is None:  # a negotiator proposes for their own union; the administrator (no union) names one
            del self.fields["union"]
        else:
            self.fields["union"].queryset = unions


class NegotiationEditForm(DateBoundMixin, forms.Form):
    title = forms.CharField(label=_("协商事项"), max_length=200)
    headcount = forms.IntegerField(label=_("覆盖职工人数"), min_value=1, required=False)
    term_start = forms.DateField(label=_("合同期限起"), required=False, widget=DATE)
    term_end = forms.DateField(label=_("合同期限止"), required=False, widget=DATE, help_text=TERM_HELP)
    term_confirmed = forms.BooleanField(label=TERM_CONFIRM_LABEL, required=False, help_text=TERM_CONFIRM_HELP)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        if obj is not None and not self.is_bound:
            self.initial.update({k: getattr(obj, k) for k in ("title", "headcount", "term_start", "term_end", "term_confirmed")})
            self.initial["expected_version"] = obj.version


YES = {"是", "首席", "y", "yes", "1", "true", "√", "外聘"}


class RepresentativesForm(DateBoundMixin, forms.Form):
    """One side's list; the chief's basis (arts. 20–21) in the fields below the list. `side` limits the
    basis choices; `chief` (the current chief representative) fills them in."""

    people = forms.CharField(
        label=_("代表名单"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一人：姓名，职务，首席（是/否），外聘（是/否），身份证后四位（可空）。至少3人，一名首席。"),
    )
    chief_basis = forms.ChoiceField(label=_("首席代表产生依据"), choices=ChiefBasis.choices, required=False,
                                    help_text=_("职工方：工会主席担任或由其书面委托（第20条）；用人单位方：法定代表人担任或由其书面委托的管理人员（第21条）"))
    designated_by = forms.CharField(label=_("委托人（书面委托时）"), max_length=60, required=False)
    designated_on = forms.DateField(label=_("委托/推举日期"), required=False, widget=DATE)
    designation_document = forms.CharField(label=_("委托书/依据文件名称或编号"), max_length=120, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, side: str | None = None, chief=None, **kwargs):
        super().__init__(*args, **kwargs)
        if side in ("union", "employer"):
            allowed = UNION_BASES if side == "union" else EMPLOYER_BASES
            self.fields["chief_basis"].choices = [("", "---------")] + [(c.value, c.label) for c in allowed]
        if chief is not None and not self.is_bound:
            for k in ("chief_basis", "designated_by", "designated_on", "designation_document"):
                self.initial.setdefault(k, getattr(chief, k))

    def clean(self):
        d = super().clean()
        basis = {k: d.get(k) for k in ("chief_basis", "designated_by", "designated_on", "designation_document")}
        for p in d.get("people") or []:
            if p["is_chief"]:
                p.update(basis)
        return d

    def clean_people(self):
        out = []
        for n, line in enumerate(self.cleaned_data["people"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in re.split(r"[,，\t]", line)]
            parts += [""] * (5 - len(parts))
            if not parts[0]:
                raise forms.ValidationError(_("第%(n)s行缺少姓名。") % {"n": n})
            out.append({"name": parts[0], "position": parts[1], "is_chief": parts[2].lower() in YES,
                        "is_outsider": parts[3].lower() in YES, "id_last4": parts[4][:4]})
        return out


GROUP_HELP = {
    "staggered": _("每行一组：名称，人数，上班时间，下班时间，工作日（如 1-5 或 1、3、5；1=周一；轮班写“做4休2”），用餐休息分钟（如 60，可空）"),
    "pay": _("每行一组：岗位/职级，人数，原月工资，调整（如 -10% 或 -300 元）"),
    "rotation": _("每行一组：名称，人数，原月工资，轮岗期间月工资"),
    "short_hours": _("每行一组：名称，人数，原月工资，缩短工时期间月工资"),
    "standby": _("每行一组：名称，人数，原月工资，待岗期间每月发放"),
}

# Which fields each kind of term uses (TermForm.structured reads only these; the page shows only these
# when scripts run, static/js/term_form.js). Fields not listed here are common to every kind.
GROUP_KINDS = ("staggered", "pay", "rotation", "short_hours", "standby")
KIND_FIELDS = {
    "staggered": ("start", "end", "groups", "overtime_daily", "overtime_monthly", "overtime_special_reason", "approval_number"),
    "pay": ("start", "end", "groups"),
    "rotation": ("start", "end", "groups", "days_on", "days_off"),
    "short_hours": ("start", "end", "groups", "daily_hours", "weekly_hours", "overtime_daily", "overtime_monthly",
                    "overtime_special_reason", "approval_number", "pay_rule"),
    "standby": ("start", "end", "groups", "works_during_standby"),
    "deferred": ("original_date", "deferred_date", "headcount"),
    "article": (),
}
KIND_SPECIFIC = frozenset(f for fields in KIND_FIELDS.values() for f in fields)

# A group line's columns, as the group formats above name them (error messages say "第2组 上班时间：必填。").
GROUP_COLUMNS = {
    "name": pgettext_lazy("term group column", "名称"),
    "headcount": pgettext_lazy("term group column", "人数"),
    "start_time": pgettext_lazy("term group column", "上班时间"),
    "end_time": pgettext_lazy("term group column", "下班时间"),
    "weekdays": pgettext_lazy("term group column", "工作日"),
    "days_on": pgettext_lazy("term group column", "工作日"),
    "days_off": pgettext_lazy("term group column", "工作日"),
    "break_minutes": pgettext_lazy("term group column", "用餐休息分钟"),
    "base_pay": pgettext_lazy("term group column", "原月工资"),
    "adjust_percent": pgettext_lazy("term group column", "调整"),
    "adjust_amount": pgettext_lazy("term group column", "调整"),
    "standby_pay": pgettext_lazy("term group column", "待岗期间每月发放"),
}
NEW_PAY_COLUMN = {"rotation": pgettext_lazy("term group column", "轮岗期间月工资"), "short_hours": pgettext_lazy("term group column", "缩短工时期间月工资")}
GROUP_ERROR = _("第%(n)s组 %(column)s：%(message)s")
FIELD_ERROR = _("%(field)s：%(message)s")
# The rules' plain messages (negotiation/rules.py is pure law and writes Chinese): shown in the page's language.
RULE_MESSAGES = {
    "必填。": _("必填。"),
    "请输入整数。": _("请输入整数。"),
    "请输入数字。": _("请输入数字。"),
    "请输入有效时间（HH:MM）。": _("请输入有效时间（HH:MM）。"),
    "请输入有效日期（YYYY-MM-DD）。": _("请输入有效日期（YYYY-MM-DD）。"),
}
NOT_LESS_THAN = re.compile(r"^不能小于(.+)。$")
GROUP_KEY = re.compile(r"^groups\[(\d+)\]\.(\w+)$")


def rule_message(message: str) -> str:
    m = NOT_LESS_THAN.match(message)
    if m:
        return str(_("不能小于%(n)s。") % {"n": m.group(1)})
    return str(RULE_MESSAGES.get(message, message))


CYCLE = re.compile(r"^\s*做?\s*(\d+)\s*(?:休|on)\s*(\d+)\s*(?:off)?\s*$", re.I)  # 做4休2 / 4 on 2 off


def _weekdays(text):
    days = set()
    for part in re.split(r"[、,，/ ]+", text.strip()):
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            days.update(range(int(a), int(b) + 1))
        else:
            days.add(int(part))
    return sorted(days)


class TermForm(KeyedForm):
    """One form for every kind of term; each kind uses its own fields (KIND_FIELDS). Without scripts every
    field is shown and the server reads and checks only the chosen kind's; with them the page shows only
    those. Errors name the field, and for a group line the group number and the column."""

    kind = forms.ChoiceField(label=_("条款类型"), choices=TermKind.choices)
    title = forms.CharField(label=_("标题"), max_length=120)
    start = forms.DateField(label=_("执行期间起"), required=False, widget=DATE)
    end = forms.DateField(label=_("执行期间止"), required=False, widget=DATE)
    groups = forms.CharField(label=_("职工组别"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("每行一组，格式见上方说明（随条款类型不同）。"))
    daily_hours = forms.DecimalField(label=_("每日工时"), required=False)
    weekly_hours = forms.DecimalField(label=_("每周工时"), required=False)
    overtime_daily = forms.DecimalField(label=_("每日延长工时"), required=False)
    overtime_monthly = forms.DecimalField(label=_("每月延长工时"), required=False)
    overtime_special_reason = forms.BooleanField(label=_("因特殊原因延长工时"), required=False)
    approval_number = forms.CharField(label=_("综合计算/不定时工作制批准文号"), required=False)
    days_on = forms.IntegerField(label=_("轮岗：连续工作天数"), required=False)
    days_off = forms.IntegerField(label=_("轮岗：连续休息天数"), required=False)
    pay_rule = forms.CharField(label=_("工资支付办法"), required=False)
    works_during_standby = forms.BooleanField(label=_("待岗期间安排工作"), required=False)
    original_date = forms.DateField(label=_("原定工资支付日"), required=False, widget=DATE)
    deferred_date = forms.DateField(label=_("延期支付日"), required=False, widget=DATE)
    headcount = forms.IntegerField(label=_("涉及人数"), required=False)
    text = forms.CharField(label=_("条款文本"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    note = forms.CharField(label=_("修改说明"), required=False, max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    error_summary = _("请修改以下内容：")

    # -- which fields belong to which kind -------------------------------------------------------
    def group_help(self):
        """(kind, its label, its group line format) for the kinds whose terms have groups."""
        labels = dict(TermKind.choices)
        return [(k, labels[k], v) for k, v in GROUP_HELP.items()]

    def chosen_kind(self) -> str:
        if self.is_bound:
            return self.data.get("kind") or ""
        return self.initial.get("kind") or ""

    def rows(self):
        """(bound field, the kinds it belongs to as a space-separated list, or "" for every kind)."""
        out = []
        for bf in self.visible_fields():
            kinds = [k for k, fields in KIND_FIELDS.items() if bf.name in fields]
            out.append((bf, " ".join(kinds) if bf.name in KIND_SPECIFIC else ""))
        return out

    def clean(self):
        """Only the chosen kind's fields count: another kind's field left filled in (no scripts: all are
        shown) is neither read nor held against the user."""
        d = super().clean()
        kind = d.get("kind")
        if kind in KIND_FIELDS:
            for name in KIND_SPECIFIC - set(KIND_FIELDS[kind]):
                self._errors.pop(name, None)
                d[name] = None
        return d

    # -- errors ----------------------------------------------------------------------------------
    def _column(self, key: str) -> str:
        if key == "new_pay":
            return str(NEW_PAY_COLUMN.get(self.cleaned_data.get("kind") or self.chosen_kind(),
                                          pgettext_lazy("term group column", "调整后月工资")))
        return str(GROUP_COLUMNS.get(key, key))

    def group_error(self, n: int, key: str, message: str) -> None:
        self.add_error("groups", str(GROUP_ERROR % {"n": n, "column": self._column(key), "message": rule_message(message)}))

    def add_service_errors(self, exc) -> None:
        """The service's (negotiation.rules.validate_term) per-field messages on the form: a group line's as
        "第2组 上班时间：必填。" on the groups field, a field's as "执行期间起：必填。" on that field, anything
        else above the form."""
        if not hasattr(exc, "error_dict"):
            for m in exc.messages:
                self.add_error(None, rule_message(str(m)))
            return
        for key, errs in exc.error_dict.items():
            messages = [str(m) for e in errs for m in e.messages]
            group = GROUP_KEY.match(key)
            for m in messages:
                if group:
                    self.group_error(int(group.group(1)), group.group(2), m)
                elif key in self.fields and key not in ("version", "submission_key"):
                    self.add_error(key, str(FIELD_ERROR % {"field": self.fields[key].label, "message": rule_message(m)}))
                else:
                    self.add_error(None, rule_message(m))

    def structured(self) -> dict:
        """The term's structured data for the service (which validates it against the rules): the chosen
        kind's fields only."""
        d = self.cleaned_data
        kind = d["kind"]
        mine = set(KIND_FIELDS.get(kind, ()))
        data: dict = {}
        if kind in GROUP_KINDS:
            data["start"] = d["start"].isoformat() if d.get("start") else ""
            data["end"] = d["end"].isoformat() if d.get("end") else ""
            data["groups"] = self._groups(kind, d.get("groups") or "")
        for key in ("daily_hours", "weekly_hours", "overtime_daily", "overtime_monthly"):
            if key in mine and d.get(key) is not None:
                data[key] = str(d[key])
        for key in ("approval_number", "pay_rule"):
            if key in mine and d.get(key):
                data[key] = d[key]
        if "overtime_special_reason" in mine and d.get("overtime_special_reason"):
            data["overtime_special_reason"] = True
        if kind == "rotation":
            data["days_on"], data["days_off"] = d.get("days_on"), d.get("days_off")
        if kind == "standby":
            data["works_during_standby"] = bool(d.get("works_during_standby"))
            data["first_cycle_full_pay"] = True
        if kind == "deferred":
            data["original_date"] = d["original_date"].isoformat() if d.get("original_date") else ""
            data["deferred_date"] = d["deferred_date"].isoformat() if d.get("deferred_date") else ""
            data["headcount"] = d.get("headcount")
        if kind == "article":
            data["text"] = d.get("text") or ""
        return data

    def _groups(self, kind, text):
        """One group per non-blank line, numbered as the rules number them (第1组, 第2组 …)."""
        groups = []
        n = 0
        for line in text.splitlines():
            if not line.strip():
                continue
            n += 1
            p = [x.strip() for x in re.split(r"[,，\t]", line)]
            p += [""] * (6 - len(p))
            g = {"name": p[0], "headcount": p[1]}
            if kind == "staggered":
                g.update(start_time=p[2], end_time=p[3])
                cycle = CYCLE.match(p[4])
                try:
                    if cycle:
                        g.update(days_on=int(cycle.group(1)), days_off=int(cycle.group(2)))
                    else:
                        g["weekdays"] = _weekdays(p[4])
                except ValueError:
                    self.group_error(n, "weekdays", str(_("格式不正确，应如 1-5、1、3、5 或“做4休2”。")))
                brk = p[5].replace("分钟", "").replace("分", "").strip()
                if brk:
                    if not brk.isdigit():
                        self.group_error(n, "break_minutes", str(_("应为分钟数。")))
                    else:
                        g["break_minutes"] = int(brk)
            elif kind == "pay":
                g["base_pay"] = p[2]
                adj = p[3].replace("元", "").strip()
                if adj.endswith("%"):
                    g["adjust_percent"] = adj[:-1].strip()
                else:
                    g["adjust_amount"] = adj
            elif kind == "standby":
                g.update(base_pay=p[2], standby_pay=p[3])
            else:
                g.update(base_pay=p[2], new_pay=p[3])
            groups.append(g)
        return groups


def groups_text(kind: str, data: dict) -> str:
    """The one-line-per-group text for editing an existing version."""
    lines = []
    # In the reader's language; the parser reads both notations (commas, 做4休2 / 4 on 2 off, 元 or none).
    sep, day_sep = pgettext("group line", "，"), pgettext("group line", "、")
    for g in data.get("groups") or []:
        if kind == "staggered":
            if g.get("days_on") not in (None, ""):
                days = pgettext("group line", "做%(on)s休%(off)s") % {"on": g.get("days_on"), "off": g.get("days_off")}
            else:
                days = day_sep.join(str(x) for x in g.get("weekdays") or [])
            parts = [g.get("name"), g.get("headcount"), g.get("start_time"), g.get("end_time"), days]
            if g.get("break_minutes"):
                parts.append(g.get("break_minutes"))
        elif kind == "pay":
            adj = (f"{g['adjust_percent']}%" if g.get("adjust_percent") not in (None, "")
                   else pgettext("group line", "%(a)s元") % {"a": g.get("adjust_amount")})
            parts = [g.get("name"), g.get("headcount"), g.get("base_pay"), adj]
        elif kind == "standby":
            parts = [g.get("name"), g.get("headcount"), g.get("base_pay"), g.get("standby_pay")]
        else:
            parts = [g.get("name"), g.get("headcount"), g.get("base_pay"), g.get("new_pay")]
        lines.append(sep.join(str(p) for p in parts))
    return "\n".join(lines)


class ResponseForm(forms.Form):
    decision = forms.ChoiceField(label=_("回应"), choices=[("agree", _("同意协商")), ("refuse", _("拒绝协商"))], widget=forms.RadioSelect)
    text = forms.CharField(label=_("书面回应意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("对具体条款的反提案，请先在条款处点击“修改/反提案”，每次修改都会保留版本。"))
    reason = forms.CharField(label=_("拒绝理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("拒绝协商必须说明正当理由（集体合同规定第32条）"))
    counter_terms = forms.JSONField(
        label=_("各条款反提案（可选）"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("条款编号 → {\"data\": 结构化内容, \"text\": 条款文本}；通常在条款处点击“修改/反提案”即可，无需填写。"),
    )

    def clean_counter_terms(self):
        value = self.cleaned_data.get("counter_terms") or {}
        if not isinstance(value, dict):
            raise forms.ValidationError(_("反提案应为“条款编号 → 内容”的对象。"))
        out = {}
        for key, data in value.items():
            try:
                term_id = int(key)
            except (TypeError, ValueError):
                raise forms.ValidationError(_("条款编号应为整数。")) from None
            if not isinstance(data, dict):
                raise forms.ValidationError(_("反提案应为“条款编号 → 内容”的对象。"))
            out[term_id] = data
        return out


class RoundForm(DateBoundMixin, KeyedForm):
    held_on = forms.DateField(label=_("会议日期"), widget=DATE)
    location = forms.CharField(label=_("地点"), required=False)
    chair_side = forms.ChoiceField(label=_("主持方（双方首席代表轮流主持）"), choices=[("union", _("职工方")), ("employer", _("用人单位方"))])
    attendees = forms.CharField(label=_("出席人员"), widget=forms.Textarea(attrs={"rows": 2}))
    recorder = forms.CharField(label=_("记录员"), max_length=60)
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}))
    union_chief_signed = forms.BooleanField(label=_("职工方首席代表已在纪要上签字"), required=False)
    employer_chief_signed = forms.BooleanField(label=_("用人单位方首席代表已在纪要上签字"), required=False)


class SuspendForm(forms.Form):
    next_date = forms.DateField(label=_("下次协商日期"), widget=DATE)
    reason = forms.CharField(label=_("中止原因"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因/意见"), widget=forms.Textarea(attrs={"rows": 3}))


class ObjectionForm(forms.Form):
    objection = forms.CharField(label=_("审查意见书"), widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("退回的理由与修改意见（集体合同规定第45条）"))


class PublishForm(forms.Form):
    comments_close = forms.DateTimeField(label=_("征求意见截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    employee_count = forms.IntegerField(label=_("征求意见职工人数"), min_value=1)


class LinksForm(KeyedForm):
    count = forms.IntegerField(label=_("生成数量"), min_value=0, max_value=2000, required=False)
    labels = forms.CharField(label=_("或按名单生成（每行一个编号/车间）"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self):
        d = super().clean()
        if not d.get("count") and not (d.get("labels") or "").strip():
            raise forms.ValidationError(_("请填写生成数量或名单。"))
        return d


class VoteForm(forms.Form):
    held_on = forms.DateField(label=_("表决日期"), widget=DATE)
    body = forms.ChoiceField(label=_("表决机构"), choices=[("congress", _("职工代表大会")), ("all", _("全体职工大会"))],
                             required=False, initial="congress")
    total = forms.IntegerField(label=_("全体代表（职工）人数"), min_value=1)
    present = forms.IntegerField(label=_("实到人数"), min_value=0)
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("弃权"), min_value=0)

    def clean_body(self):
        return self.cleaned_data.get("body") or "congress"


class FilingForm(forms.Form):
    filed_on = forms.DateField(label=_("报送（部门收到）日期"), widget=DATE)
    receipt_number = forms.CharField(label=_("回执编号"), max_length=60)
    bureau = forms.ModelChoiceField(
        label=_("劳动保障行政部门"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.LABOUR_BUREAU).select_related("region"),
    )


class CoordinationAcceptForm(forms.Form):
    accepted_on = forms.DateField(label=_("受理日期"), widget=DATE, required=False,
                                  help_text=_("协调处理自受理之日起30日内结束（集体合同规定第52条）；不填为今天。"))


class CloseCommentsForm(forms.Form):
    reason = forms.CharField(label=_("提前结束征求意见的理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("理由将记入办理记录；结束后职工意见链接失效，草案可提交职代会审议。"))


class CoordinationForm(forms.Form):
    agreed = forms.TypedChoiceField(label=_("协调结果"), choices=[("1", _("达成协调处理协议，恢复协商")), ("0", _("协调终结"))],
                                    coerce=lambda v: v == "1", widget=forms.RadioSelect)
    outcome = forms.CharField(label=_("协调处理协议书主要内容"), widget=forms.Textarea(attrs={"rows": 3}))


class ListFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False)
    employer = forms.ModelChoiceField(label=_("用人单位"), queryset=Organisation.objects.none(), required=False)
    overdue = forms.BooleanField(label=_("已逾期"), required=False)
    due_week = forms.BooleanField(label=_("本周到期"), required=False)

    def __init__(self, *args, employers=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import State

        self.fields["state"].choices = [("", _("全部"))] + list(State.choices)
        self.fields["employer"].queryset = employers if employers is not None else Organisation.objects.none()
