
import datetime
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def mark_installation(apps, schema_editor):
    # Cases opened before SLA tracking existed get no clocks: they would all
    # start in the past and breach at once (see CaseSla.tracked).
    case_event = apps.get_model("cases", "CaseEvent")
    newest = case_event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    apps.get_model("sla", "SlaCursor").objects.create(
        key=1, last_event_id=newest, installed_after_event_id=newest
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('calendars', '0001_initial'),
        ('cases', '0002_append_only_events_and_number_sequence'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SlaCursor',
            fields=[
                ('key', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ('last_event_id', models.PositiveBigIntegerField(default=0)),
                ('installed_after_event_id', models.PositiveBigIntegerField(default=0)),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('key', 1)), name='sla_cursor_single_row')],
            },
        ),
        migrations.CreateModel(
            name='SlaPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('priority', models.PositiveSmallIntegerField(blank=True, choices=[(1, 'Low'), (2, 'Normal'), (3, 'High'), (4, 'Urgent')], help_text='Match only cases of this priority; empty matches every priority.', null=True, verbose_name='priority')),
                ('case_kind', models.CharField(blank=True, choices=[('question', 'Question'), ('service_request', 'Service request'), ('complaint', 'Complaint'), ('billing_dispute', 'Billing dispute'), ('regulatory_complaint', 'Regulatory complaint'), ('sales_enquiry', 'Sales enquiry')], help_text='Match only cases of this kind; empty matches every kind.', max_length=32, verbose_name='case kind')),
                ('customer_tier', models.CharField(blank=True, choices=[('standard', 'Standard'), ('silver', 'Silver'), ('gold', 'Gold'), ('platinum', 'Platinum')], help_text='Match only customers of this tier; empty matches every tier.', max_length=16, verbose_name='customer tier')),
                ('order', models.PositiveIntegerField(default=100, help_text='When two policies match a case equally closely, the lower number wins.', verbose_name='order')),
                ('first_response_minutes', models.PositiveIntegerField(blank=True, help_text="The first public answer to a customer's new case is due within this many business minutes, e.g. 240 = first response within 4 business hours. Empty: no first-response target.", null=True, verbose_name='first response (business minutes)')),
                ('next_response_minutes', models.PositiveIntegerField(blank=True, help_text='After each customer message, the next public answer is due within this many business minutes, e.g. 480 = within one 8-hour business day. Empty: no target.', null=True, verbose_name='next response (business minutes)')),
                ('resolution_minutes', models.PositiveIntegerField(blank=True, help_text='The case is to be resolved within this many business minutes of opening (or reopening), e.g. 2400 = five 8-hour business days. Empty: no target.', null=True, verbose_name='resolution (business minutes)')),
                ('warning_percent', models.PositiveSmallIntegerField(default=80, help_text='Warn the owner once this share of a target has passed, e.g. 80. 0 turns the share-based warning off.', verbose_name='warn at (% of target)')),
                ('warning_minutes', models.PositiveIntegerField(blank=True, help_text='Or warn this many business minutes before the deadline; when both are set, the earlier warning wins.', null=True, verbose_name='warn before (business minutes)')),
                ('escalate_to_supervisor', models.BooleanField(default=True, help_text="On a breach, the department's supervisors are told as well as the owner (on the desk and by email).", verbose_name='escalate breaches to supervisors')),
                ('reassign_on_breach', models.BooleanField(default=False, help_text='On a breach, give the case to someone who can act on it at once.', verbose_name='reassign on breach')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='updated')),
                ('calendar', models.ForeignKey(blank=True, help_text='Targets count only the opening hours of this calendar (holidays excluded). Leave empty to count around the clock, 24/7.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sla_policies', to='calendars.businesscalendar', verbose_name='business calendar')),
                ('reassign_to', models.ForeignKey(blank=True, help_text="Who takes a breached case over; empty: the supervisor of the case's department who owns the fewest active cases.", limit_choices_to={'is_active': True, 'kind': 'staff'}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reassign to')),
            ],
            options={
                'verbose_name': 'SLA policy',
                'verbose_name_plural': 'SLA policies',
                'ordering': ['order', 'name'],
            },
        ),
        migrations.CreateModel(
            name='SlaClock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('metric', models.CharField(choices=[('first_response', 'First response'), ('next_response', 'Next response'), ('resolution', 'Resolution')], max_length=16, verbose_name='metric')),
                ('cycle', models.PositiveSmallIntegerField(default=1, verbose_name='cycle')),
                ('policy_name', models.CharField(max_length=120, verbose_name='policy name')),
                ('policy_version', models.PositiveIntegerField(default=1)),
                ('target', models.DurationField(verbose_name='target (business time)')),
                ('warn_after', models.DurationField(blank=True, null=True, verbose_name='warn after (business time)')),
                ('started_at', models.DateTimeField(verbose_name='started')),
                ('due_at', models.DateTimeField(verbose_name='due')),
                ('warn_at', models.DateTimeField(blank=True, null=True, verbose_name='warn at')),
                ('paused_at', models.DateTimeField(blank=True, null=True, verbose_name='paused since')),
                ('paused_business', models.DurationField(default=datetime.timedelta(0), verbose_name='paused (business time)')),
                ('stopped_at', models.DateTimeField(blank=True, null=True, verbose_name='stopped')),
                ('met', models.BooleanField(blank=True, null=True, verbose_name='met')),
                ('warned_at', models.DateTimeField(blank=True, null=True, verbose_name='warned')),
                ('breached_at', models.DateTimeField(blank=True, null=True, verbose_name='breached')),
                ('calendar', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='calendars.businesscalendar', verbose_name='business calendar')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sla_clocks', to='cases.case', verbose_name='case')),
                ('policy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='clocks', to='sla.slapolicy', verbose_name='policy')),
            ],
            options={
                'verbose_name': 'SLA clock',
                'verbose_name_plural': 'SLA clocks',
                'ordering': ['due_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='CaseSla',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='sla', serialize=False, to='cases.case')),
                ('last_event_id', models.PositiveBigIntegerField(default=0)),
                ('tracked', models.BooleanField(default=True)),
                ('status', models.CharField(blank=True, max_length=32)),
                ('priority', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('kind', models.CharField(blank=True, max_length=32)),
                ('opened_at', models.DateTimeField(blank=True, null=True)),
                ('customer_initiated', models.BooleanField(default=True)),
                ('first_responded_at', models.DateTimeField(blank=True, null=True)),
                ('awaiting_reply_since', models.DateTimeField(blank=True, null=True)),
                ('active_since', models.DateTimeField(blank=True, null=True)),
                ('policy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='sla.slapolicy')),
            ],
            options={
                'verbose_name': 'case SLA state',
                'verbose_name_plural': 'case SLA states',
            },
        ),
        migrations.AddConstraint(
            model_name='slapolicy',
            constraint=models.CheckConstraint(condition=models.Q(('warning_percent__lt', 100)), name='sla_policy_warning_percent_below_100'),
        ),
        migrations.AddIndex(
            model_name='slaclock',
            index=models.Index(condition=models.Q(('breached_at__isnull', True), ('paused_at__isnull', True), ('stopped_at__isnull', True)), fields=['due_at'], name='sla_clock_due'),
        ),
        migrations.AddIndex(
            model_name='slaclock',
            index=models.Index(condition=models.Q(('breached_at__isnull', True), ('paused_at__isnull', True), ('stopped_at__isnull', True), ('warned_at__isnull', True)), fields=['warn_at'], name='sla_clock_warn'),
        ),
        migrations.AddIndex(
            model_name='slaclock',
            index=models.Index(fields=['case', '-started_at'], name='sla_clock_case'),
        ),
        migrations.AddIndex(
            model_name='slaclock',
            index=models.Index(fields=['due_at', 'metric'], name='sla_clock_attainment'),
        ),
        migrations.AddConstraint(
            model_name='slaclock',
            constraint=models.UniqueConstraint(condition=models.Q(('stopped_at__isnull', True)), fields=('case', 'metric'), name='sla_one_running_clock_per_metric'),
        ),
        migrations.AddConstraint(
            model_name='slaclock',
            constraint=models.CheckConstraint(condition=models.Q(('met__isnull', True), ('stopped_at__isnull', False), _connector='OR'), name='sla_clock_verdict_only_when_stopped'),
        ),
        migrations.RunPython(mark_installation, migrations.RunPython.noop),
    ]
