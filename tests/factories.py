"""factory_boy factories for the organisations and people every workflow test needs."""
import factory

from accounts.models import Organisation, Region, Role, User
from core.validators import USCC_CHARS, uscc_check_char


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def make_credit_code(n: int, region_code: str = "150100") -> str:
    body = f"91{region_code}MA0{n:04d}"
    body = body[:17].ljust(17, "0")
    assert all(c in USCC_CHARS for c in body)
    return body + uscc_check_char(body)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.EMPLOYER
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    region = factory.LazyFunction(lambda: region("150105"))
    credit_code = factory.Sequence(lambda n: make_credit_code(n))
    headcount = 300
    industry = "制造业"


class EmployerFactory(OrganisationFactory):
    pass


class FederationFactory(OrganisationFactory):
    kind = Organisation.Kind.FEDERATION
    name = factory.Sequence(lambda n: f"测试总工会{n}")
    credit_code = None
    headcount = None


class UnionFactory(OrganisationFactory):
    kind = Organisation.Kind.UNION
    name = factory.Sequence(lambda n: f"测试企业工会{n}")
    credit_code = None
    headcount = None
    employer = factory.SubFactory(EmployerFactory)
    region = factory.SelfAttribute("employer.region")


class FirmFactory(OrganisationFactory):
    kind = Organisation.Kind.LAW_FIRM
    name = factory.Sequence(lambda n: f"测试律师事务所{n}")
    credit_code = None
    headcount = None
    region = factory.LazyFunction(lambda: region("150100"))


class BureauFactory(OrganisationFactory):
    kind = Organisation.Kind.LABOUR_BUREAU
    name = factory.Sequence(lambda n: f"测试人社局{n}")
    credit_code = None
    headcount = None
    region = factory.LazyFunction(lambda: region("150100"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.UNION_STAFF
    organisation = factory.SubFactory(FederationFactory)
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
