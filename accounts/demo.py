"""Demo organisations and one login per role (idempotent)."""
from __future__ import annotations

from accounts.models import Organisation, Region, Role, User
from core.validators import uscc_check_char

DEMO_PASSWORD = "xieshang2026"

K = Organisation.Kind


def credit_code(base17: str) -> str:
    return base17 + uscc_check_char(base17)


def _org(kind, name, region_code, **extra) -> Organisation:
    region = Region.objects.get(code=region_code)
    org, _ = Organisation.objects.update_or_create(kind=kind, name=name, defaults={"region": region, **extra})
    return org


def _user(username, display_name, role, org, *, superuser=False) -> User:
    user, created = User.objects.get_or_create(username=username)
    user.display_name = display_name
    user.role = role
    user.organisation = org
    user.is_staff = superuser
    user.is_superuser = superuser
    if created or not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def seed() -> dict:
    fed_nm = _org(K.FEDERATION, "内蒙古自治区总工会", "150000", address="呼和浩特市新城区")
    fed_hh = _org(K.FEDERATION, "呼和浩特市总工会", "150100", parent=fed_nm)
    fed_bt = _org(K.FEDERATION, "包头市总工会", "150200", parent=fed_nm)
    fed_ee = _org(K.FEDERATION, "鄂尔多斯市总工会", "150600", parent=fed_nm)
    _org(K.FEDERATION, "赛罕区总工会", "150105", parent=fed_hh)
    _org(K.FEDERATION, "准格尔旗总工会", "150622", parent=fed_ee)

    dairy = _org(
        K.EMPLOYER, "呼和浩特草原乳业有限公司", "150105", credit_code=credit_code("91150105MA0Q3R7K5"),
        industry="乳制品制造", headcount=860, address="呼和浩特市赛罕区金桥开发区乳业大街8号", legal_representative="王建国",
    )
    energy = _org(
        K.EMPLOYER, "包头北方能源集团有限公司", "150203", credit_code=credit_code("91150203MA0N2L4P8"),
        industry="电力、热力生产和供应", headcount=2400, address="包头市昆都仑区钢铁大街66号", legal_representative="刘志强",
    )
    logistics = _org(
        K.EMPLOYER, "鄂尔多斯金桥物流有限公司", "150602", credit_code=credit_code("91150602MA0R5T1W3"),
        industry="道路货物运输", headcount=145, is_small_micro=True, address="鄂尔多斯市东胜区天骄北路12号", legal_representative="张慧",
    )
    coal = _org(
        K.EMPLOYER, "准格尔旗顺达煤化有限公司", "150622", credit_code=credit_code("91150622MA0P8C6D2"),
        industry="煤炭开采和洗选", headcount=530, address="鄂尔多斯市准格尔旗薛家湾镇", legal_representative="赵永明",
    )
    union_dairy = _org(K.UNION, "呼和浩特草原乳业有限公司工会委员会", "150105", parent=fed_hh, employer=dairy)
    union_energy = _org(K.UNION, "包头北方能源集团有限公司工会", "150203", parent=fed_bt, employer=energy)
    union_log = _org(K.UNION, "鄂尔多斯金桥物流有限公司工会", "150602", parent=fed_ee, employer=logistics)
    _org(K.UNION, "准格尔旗顺达煤化有限公司工会", "150622", parent=fed_ee, employer=coal)

    firm_a = _org(K.LAW_FIRM, "内蒙古青城律师事务所", "150100", address="呼和浩特市新城区新华大街1号")
    firm_b = _org(K.LAW_FIRM, "内蒙古鹿城律师事务所", "150200", address="包头市昆都仑区阿尔丁大街20号")
    _org(K.LAW_FIRM, "内蒙古鄂尔多斯草原律师事务所", "150600", address="鄂尔多斯市东胜区鄂尔多斯西街")
    _org(K.LEGAL_AID_CENTRE, "内蒙古自治区总工会法律援助中心", "150000", parent=fed_nm)
    bureau = _org(K.LABOUR_BUREAU, "呼和浩特市人力资源和社会保障局", "150100")
    _org(K.LABOUR_BUREAU, "包头市人力资源和社会保障局", "150200")

    logins = [
        ("admin", "系统管理员", Role.SYSADMIN, None, True),
        ("staff_nm", "高敏（自治区总工会）", Role.UNION_STAFF, fed_nm, False),
        ("staff_hohhot", "李娜（呼和浩特市总工会）", Role.UNION_STAFF, fed_hh, False),
        ("staff_baotou", "周强（包头市总工会）", Role.UNION_STAFF, fed_bt, False),
        ("negotiator", "陈红（草原乳业工会主席）", Role.UNION_NEGOTIATOR, union_dairy, False),
        ("negotiator_energy", "马骏（北方能源工会主席）", Role.UNION_NEGOTIATOR, union_energy, False),
        ("negotiator_logistics", "白雪（金桥物流工会主席）", Role.UNION_NEGOTIATOR, union_log, False),
        ("employer", "孙立（草原乳业人力资源总监）", Role.EMPLOYER_REP, dairy, False),
        ("employer_energy", "郭伟（北方能源人力资源部）", Role.EMPLOYER_REP, energy, False),
        ("employer_logistics", "何芳（金桥物流行政部）", Role.EMPLOYER_REP, logistics, False),
        ("firm_admin", "吴律师（青城律所主任）", Role.FIRM_ADMIN, firm_a, False),
        ("lawyer", "郑律师（青城律所）", Role.LAWYER, firm_a, False),
        ("firm_admin_b", "冯律师（鹿城律所主任）", Role.FIRM_ADMIN, firm_b, False),
        ("lawyer_b", "韩律师（鹿城律所）", Role.LAWYER, firm_b, False),
        ("bureau", "杨审查员（呼和浩特市人社局）", Role.BUREAU_REVIEWER, bureau, False),
    ]
    users = {}
    for username, name, role, org, su in logins:
        users[username] = _user(username, name, role, org, superuser=su)
    return {"users": users, "logins": logins}
