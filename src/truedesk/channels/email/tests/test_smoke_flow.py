import smtplib

from truedesk.cases.models import Case
from truedesk.channels.email.actions import process_due_messages
from truedesk.channels.email.models import InboundMessage, OutboundEmail
from truedesk.channels.email.tests import mail
from truedesk.testing.personas import build_world


def test_mail_over_smtp_becomes_a_case_with_an_acknowledgement(receiver):
    world = build_world()
    with smtplib.SMTP(receiver.hostname, receiver.port) as client:
        reply = client.sendmail("dave@example.com", ["support@truedesk.test"], mail.message())
    assert reply == {}
    stored = InboundMessage.objects.get()
    assert stored.state == InboundMessage.State.RECEIVED
    assert process_due_messages() == 1
    case = Case.objects.get()
    assert case.customer == world.dave
    assert case.department == world.support
    assert OutboundEmail.objects.get().kind == OutboundEmail.Kind.ACKNOWLEDGEMENT
