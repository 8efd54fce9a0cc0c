"""A small, fully populated scene for API tests: every endpoint has something to act on.

dave has two cases in Technical support: `case` (taken by alice, with a
photo, linked to `spare`, and a pending transfer from alice to bob) and
`spare` (unowned). fiona has a case of her own. Globex is an organisation
dave does not belong to yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from truedesk.cases import actions
from truedesk.cases.attachments import AttachmentUpload
from truedesk.cases.models import Attachment, Case, CaseLink, Transfer
from truedesk.customers.models import ContactPoint, Organisation
from truedesk.testing.personas import World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Scene:
    world: World
    case: Case
    spare: Case
    fiona_case: Case
    attachment: Attachment
    link: CaseLink
    transfer: Transfer
    globex: Organisation
    daves_email: ContactPoint

    def refresh(self) -> Scene:
        for case in (self.case, self.spare, self.fiona_case):
            case.refresh_from_db()
        return self


def build_scene(world: World) -> Scene:
    case = actions.open_case(
        acting_user=world.alice,
        customer=world.dave,
        subject="Router keeps dropping the line",
        body="Since Monday the internet stops every evening.",
        channel="email",
        department=world.support,
        attachments=[AttachmentUpload(name="router.png", content=PNG, content_type="image/png")],
    )
    spare = actions.open_case(
        acting_user=world.alice,
        customer=world.dave,
        subject="The invoice shows the wrong address",
        body="Please correct it.",
        channel="email",
        department=world.support,
    )
    fiona_case = actions.open_case(
        acting_user=world.fiona_user,
        customer=world.fiona,
        subject="Cannot sign in to the app",
        body="It says my password is wrong.",
        channel="portal",
    )
    actions.take_case(acting_user=world.alice, case=case)
    link = actions.link_cases(
        acting_user=world.alice, from_case=case, to_case=spare, kind="related"
    )
    transfer = actions.transfer_case(
        acting_user=world.alice,
        case=case,
        to_user=world.bob,
        reason="Bob knows this router model",
        handoff_note="Line drops every evening; modem restarted twice already.",
        expires_in=timedelta(hours=4),
    )
    return Scene(
        world=world,
        case=case,
        spare=spare,
        fiona_case=fiona_case,
        attachment=Attachment.objects.get(case=case),
        link=link,
        transfer=transfer,
        globex=Organisation.objects.create(name="Globex"),
        daves_email=world.dave.contact_points.get(kind="email"),
    ).refresh()
