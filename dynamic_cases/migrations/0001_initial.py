"""Dynamic cases take over the models they had in the cases app (cases 0006 let them go):
state only, on the same tables (`db_table`), so every row stays. Their content types
follow (app_label "cases" -> "dynamic_cases"), keeping permissions and generic references
pointed at the same rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("dynamiccase", "dynamiccaseversion", "recordcase", "recordcasestep")


def _relabel(apps, old, new):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=old, model=model).exists():
            continue
        # A row under the new label can only be one post_migrate made in between (a
        # partial migrate): the old row, with the permissions people were given, wins.
        content_type.objects.filter(app_label=new, model=model).delete()
        content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_forward(apps, schema_editor):
    _relabel(apps, "cases", "dynamic_cases")


def content_types_backward(apps, schema_editor):
    _relabel(apps, "dynamic_cases", "cases")



class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0006_dynamic_cases_to_own_app'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('processes', '0002_instance_start_event'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DynamicCase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(help_text='Lower-case letters, digits and underscores; names its generated processes.', max_length=60, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('section', models.CharField(help_text='The registered model, e.g. crm.Opportunity.', max_length=100, verbose_name='section')),
                        ('choice_field', models.CharField(blank=True, max_length=100, verbose_name='Which column determines which case to use with a record?')),
                        ('choice_value', models.CharField(blank=True, max_length=200, verbose_name='Use this case with records where')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('modified_at', models.DateTimeField(auto_now=True, verbose_name='modified')),
                    ],
                    options={
                        'verbose_name': 'dynamic case',
                        'verbose_name_plural': 'dynamic cases',
                        'db_table': 'cases_dynamiccase',
                        'ordering': ['section', 'name'],
                        'indexes': [models.Index(fields=['section', 'is_active'], name='dyncase_section')],
                    },
                ),
                migrations.CreateModel(
                    name='DynamicCaseVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveIntegerField(verbose_name='version')),
                        ('definition', models.JSONField(verbose_name='definition')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='saved')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='dynamic_cases.dynamiccase')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'cases_dynamiccaseversion',
                        'ordering': ['case', '-number'],
                    },
                ),
                migrations.CreateModel(
                    name='RecordCase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('record_id', models.CharField(max_length=64)),
                        ('stage', models.CharField(max_length=200, verbose_name='current stage')),
                        ('round', models.PositiveIntegerField(default=1)),
                        ('visited', models.JSONField(blank=True, default=list)),
                        ('started_at', models.DateTimeField(auto_now_add=True, verbose_name='started')),
                        ('stage_entered_at', models.DateTimeField(verbose_name='stage entered')),
                        ('record_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='contenttypes.contenttype')),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='record_cases', to='dynamic_cases.dynamiccaseversion')),
                    ],
                    options={
                        'verbose_name': 'record case',
                        'verbose_name_plural': 'record cases',
                        'db_table': 'cases_recordcase',
                    },
                ),
                migrations.CreateModel(
                    name='RecordCaseStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('round', models.PositiveIntegerField()),
                        ('stage', models.CharField(max_length=200)),
                        ('key', models.SlugField(max_length=60)),
                        ('name', models.CharField(max_length=300, verbose_name='name')),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('required', models.BooleanField(default=True, verbose_name='required')),
                        ('status', models.CharField(choices=[('pending', 'Waiting for another step'), ('running', 'In progress'), ('done', 'Done'), ('skipped', 'Skipped'), ('canceled', 'Canceled')], default='pending', max_length=10, verbose_name='status')),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('instance', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='processes.processinstance')),
                        ('record_case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='dynamic_cases.recordcase')),
                    ],
                    options={
                        'db_table': 'cases_recordcasestep',
                        'ordering': ['record_case', 'round', 'position'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='dynamiccaseversion',
                    constraint=models.UniqueConstraint(fields=('case', 'number'), name='uniq_dyncase_version'),
                ),
                migrations.AddConstraint(
                    model_name='recordcase',
                    constraint=models.UniqueConstraint(fields=('record_type', 'record_id'), name='uniq_record_case'),
                ),
                migrations.AddIndex(
                    model_name='recordcasestep',
                    index=models.Index(fields=['instance'], name='dyncase_step_instance'),
                ),
                migrations.AddConstraint(
                    model_name='recordcasestep',
                    constraint=models.UniqueConstraint(fields=('record_case', 'round', 'key'), name='uniq_record_case_step'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
