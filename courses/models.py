"""Courses app models: the finder (CourseIndexPage), one page per training (CoursePage), its questions.

The catalogue's vocabulary (themes, trainers, audiences, delivery) lives in ``courses.catalogue``.
"""

import functools
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from booking.models import Frequency
from booking.models.fields import PaymentProvidersField
from booking.services import availability, fill, page_state
from groepswijzer import page_cache
from home.blocks import BodyBlock
from home.languages import localized, original, public

from .catalogue import Audience, Delivery, Theme, Trainer
from .finder import find_courses
from .forms import CourseFilterForm, CoursePageForm, GroupPostcodeForm

__all__ = ["Audience", "CourseIndexPage", "CoursePage", "Delivery", "SuitabilityQuestion", "Theme", "Trainer"]


MAX_PAGE = 1000
MAX_LOCATIONS_SHOWN = 12


def page_number(value):
    """A page number from the URL: 1 for anything that is not a sensible one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


class CourseIndexPage(page_cache.PageFromCache, Page):
    intro = models.TextField(_("introductie"), max_length=500, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("overzicht trainingen")

    def page_cache_dependencies(self, request):
        # The finder shows places and the nearest open group of every course.
        return (page_cache.BOOKING,), page_state.next_change()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        form = CourseFilterForm(request.GET or None)
        # The Dutch courses are the ones with groups; a translated overview finds the same ones and shows each
        # in the visitor's language where an editor translated it.
        search = find_courses(
            lambda: public(CoursePage.objects.child_of(original(self)).live()), form, key=("index", self.pk)
        )
        for result, shown in zip(search.results, localized(result.course for result in search.results), strict=True):
            result.course = shown
        context["filter_form"] = form
        context["search"] = search
        return context


class CoursePage(page_cache.PageFromCache, Page):
    """A training as patients and referrers see it.

    The facts people look for are separate required fields, so no course page
    can go live without them and every page shows them in the same order.
    """

    summary = models.TextField(
        _("samenvatting"), max_length=300, help_text=_("Eén of twee zinnen: wat is het en wat levert het op?")
    )
    themes = ParentalManyToManyField(Theme, verbose_name=_("thema's"), related_name="courses")
    complaints = models.TextField(
        _("helpt bij"), help_text=_("Klachten waarbij de training helpt. Eén per regel, bijvoorbeeld: piekeren.")
    )
    learning_goals = models.TextField(_("wat u leert"), help_text=_("Eén per regel."))

    audience = models.CharField(_("doelgroep"), max_length=20, choices=Audience.choices, default=Audience.ADULTS)
    min_age = models.PositiveSmallIntegerField(
        _("minimumleeftijd"), default=18, validators=[MinValueValidator(18), MaxValueValidator(99)]
    )
    couples_welcome = models.BooleanField(
        _("koppels welkom"), default=False, help_text=_("Mogen twee partners zich samen aanmelden?")
    )

    session_count = models.PositiveSmallIntegerField(
        _("aantal bijeenkomsten"), validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    hours_per_session = models.DecimalField(
        _("uren per bijeenkomst"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("8"))],
    )
    frequency = models.CharField(_("hoe vaak"), max_length=20, choices=Frequency.choices, default=Frequency.WEEKLY)
    group_min = models.PositiveSmallIntegerField(_("kleinste groep"), default=5, validators=[MinValueValidator(2)])
    group_max = models.PositiveSmallIntegerField(
        _("grootste groep"), default=10, validators=[MinValueValidator(2), MaxValueValidator(30)]
    )

    completion_min_sessions = models.PositiveSmallIntegerField(
        _("afgerond bij minstens … bijeenkomsten aanwezig"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_(
            "Wanneer telt de training als afgerond? Bijvoorbeeld 4: aanwezig bij minstens 4 bijeenkomsten. "
            "Leeg: bij alle bijeenkomsten op één na."
        ),
    )
    minimum_check_days = models.PositiveSmallIntegerField(
        _("beslissen over doorgaan (dagen voor de start)"),
        null=True,
        blank=True,
        default=fill.DEFAULT_CHECK_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(fill.MAX_CHECK_DAYS)],
        help_text=_(
            "Heeft een groep zoveel dagen voor de eerste bijeenkomst minder aanmeldingen dan de kleinste groep? "
            "Dan komt de groep op het overzicht van het bureau: doorgaan, samenvoegen of afzeggen. Leeg: 14 dagen."
        ),
    )

    delivery = models.CharField(_("vorm"), max_length=20, choices=Delivery.choices, default=Delivery.IN_PERSON)
    has_homework = models.BooleanField(_("huiswerkopdrachten"), default=False)
    has_group_chat = models.BooleanField(_("groepsapp met de deelnemers"), default=False)
    has_reference_material = models.BooleanField(_("naslagmateriaal"), default=False)
    has_online_module = models.BooleanField(_("online module"), default=False)

    contribution = models.DecimalField(
        _("eigen bijdrage (euro)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("35.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    trainers = ParentalManyToManyField(Trainer, verbose_name=_("trainers"), blank=True, related_name="courses")

    suitable_for = RichTextField(_("geschikt voor"), features=["bold", "ul", "link"])
    not_suitable_for = RichTextField(_("niet geschikt voor"), features=["bold", "ul", "link"])
    alternative_advice = RichTextField(
        _("wat kunt u anders doen?"),
        features=["bold", "ul", "link"],
        help_text=_("Advies voor wie niet in deze groep past."),
    )
    follow_up_course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("vervolgtraining"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follow_up_text = models.CharField(_("over het vervolg"), max_length=300, blank=True)
    locations = ParentalManyToManyField(
        "booking.Location", verbose_name=_("locaties"), blank=True, related_name="courses"
    )
    cancellation_days = models.PositiveSmallIntegerField(
        _("kosteloos afmelden tot (dagen voor de start)"),
        default=7,
        validators=[MaxValueValidator(60)],
        help_text=_("Tot hoeveel dagen voor de eerste bijeenkomst kan iemand zich kosteloos afmelden?"),
    )
    cancellation_terms = models.TextField(
        _("afmeldvoorwaarden"),
        max_length=800,
        blank=True,
        help_text=_("Wat gebeurt er als iemand zich later afmeldt? Leeg: een standaardtekst met het aantal dagen."),
    )
    payment_providers = PaymentProvidersField(
        _("manieren van betalen"),
        help_text=_(
            "Hoe kunnen deelnemers de eigen bijdrage betalen? Online betalen kan alleen als de Mollie-sleutel is "
            "ingesteld. Overmaken kan alleen als het IBAN van de organisatie is ingesteld (Instellingen → Organisatie)."
        ),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("meer informatie"))

    # The form in the order an editor thinks: what the training is, who it is for and how it runs,
    # where it runs, and then signing up and paying. Each tab shows how many of its fields need work.
    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("complaints"),
        FieldPanel("learning_goals"),
        MultiFieldPanel(
            [FieldPanel("suitable_for"), FieldPanel("not_suitable_for"), FieldPanel("alternative_advice")],
            heading=_("Past deze training bij u?"),
        ),
        FieldPanel("body"),
    ]
    setup_panels = [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("audience"), FieldPanel("min_age")]), FieldPanel("couples_welcome")],
            heading=_("Voor wie"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("session_count"), FieldPanel("hours_per_session"), FieldPanel("frequency")]),
                FieldRowPanel([FieldPanel("group_min"), FieldPanel("group_max")]),
                FieldPanel("minimum_check_days"),
                FieldPanel("completion_min_sessions"),
            ],
            heading=_("Opzet"),
        ),
        FieldPanel("trainers", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [PageChooserPanel("follow_up_course", "courses.CoursePage"), FieldPanel("follow_up_text")],
            heading=_("Vervolg"),
        ),
    ]
    where_panels = [
        FieldPanel("locations", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldPanel("delivery"),
                FieldRowPanel([FieldPanel("has_homework"), FieldPanel("has_group_chat")]),
                FieldRowPanel([FieldPanel("has_reference_material"), FieldPanel("has_online_module")]),
            ],
            heading=_("Vorm en eHealth"),
        ),
    ]
    signup_panels = [
        InlinePanel(
            "suitability_questions",
            heading=_("Vragen bij aanmelden"),
            label=_("Vraag"),
            help_text=_("Korte ja/nee-vragen: past de groep bij deze persoon?"),
        ),
        FieldPanel("contribution"),
        FieldPanel("payment_providers"),
        MultiFieldPanel([FieldPanel("cancellation_days"), FieldPanel("cancellation_terms")], heading=_("Afmelden")),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("De training")),
            ObjectList(setup_panels, heading=_("Voor wie en opzet")),
            ObjectList(where_panels, heading=_("Waar en hoe")),
            ObjectList(signup_panels, heading=_("Aanmelden en betalen")),
            ObjectList(Page.promote_panels, heading=_("Vindbaarheid")),
            ObjectList(Page.settings_panels, heading=_("Publiceren"), classname="settings"),
        ]
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("complaints"),
        index.SearchField("learning_goals"),
        index.SearchField("body"),
        index.RelatedFields("themes", [index.SearchField("name")]),
        index.FilterField("audience"),
        index.FilterField("delivery"),
    ]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = []
    base_form_class = CoursePageForm

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainingen")

    def clean(self):
        super().clean()
        if self.group_min and self.group_max and self.group_min > self.group_max:
            raise ValidationError({"group_min": _("De kleinste groep kan niet groter zijn dan de grootste groep.")})
        if self.follow_up_course_id and self.follow_up_course_id == self.pk:
            raise ValidationError({"follow_up_course": _("Een training kan niet haar eigen vervolg zijn.")})
        if self.completion_min_sessions and self.session_count and self.completion_min_sessions > self.session_count:
            raise ValidationError(
                {"completion_min_sessions": _("Dit kan niet meer zijn dan het aantal bijeenkomsten van de training.")}
            )

    @staticmethod
    def delivery_problem(delivery, locations):
        """What is wrong when the delivery mode does not fit the locations, or None.

        Online means only online locations; on location means no online
        location; blended may have both. Checked by the page form
        (`CoursePageForm`), where the chosen locations are known.
        """
        online = [location for location in locations if location.is_online]
        placed = [location for location in locations if not location.is_online]
        if delivery == Delivery.ONLINE and placed:
            return _(
                "Bij 'Online' horen alleen online locaties. Kies 'Op locatie en online (blended)', "
                "of haal %(places)s weg bij de locaties."
            ) % {"places": ", ".join(str(location) for location in placed)}
        if delivery == Delivery.IN_PERSON and online:
            return _(
                "Deze training heeft een online locatie. Kies dan 'Online' (alleen online) of "
                "'Op locatie en online (blended)'."
            )
        return None

    @staticmethod
    def _lines(text):
        return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]

    @property
    def complaint_list(self):
        return self._lines(self.complaints)

    @property
    def learning_goal_list(self):
        return self._lines(self.learning_goals)

    @property
    def total_hours(self):
        return self.session_count * self.hours_per_session

    @cached_property
    def ehealth_parts(self):
        parts = [
            (self.has_homework, _("huiswerkopdrachten")),
            (self.has_group_chat, _("een groepsapp met de andere deelnemers")),
            (self.has_reference_material, _("naslagmateriaal om terug te lezen")),
            (self.has_online_module, _("een online module")),
        ]
        return [label for present, label in parts if present]

    def page_cache_dependencies(self, request):
        # This course's groups, places and stops; locations and stops for every course. The groups are the Dutch
        # page's: a translation depends on those.
        course_id = original(self).pk
        return (page_cache.ALL_COURSES, page_cache.course(course_id)), page_state.next_change([course_id])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Looked up by the template only when a fragment that links to it is not in the cache (called once).
        context["course_index"] = functools.cache(lambda: self.get_parent().specific)
        context.update(self.groups_context(request))
        # The locations of the groups on this page (a national course has thousands of locations);
        # before any group is planned, the first of the locations the course names.
        shown = [entry.location for entry in context["group_listing"].locations]
        if not shown:
            shown = list(original(self).locations.order_by("kind", "town", "name")[:MAX_LOCATIONS_SHOWN])
        context["course_locations"] = sorted(shown, key=lambda loc: (loc.is_online, loc.town, loc.name))
        # Everything the section of locations shows of them: the key its HTML is kept by (locations are not content).
        context["course_locations_shown"] = tuple(
            (loc.pk, loc.name, loc.kind, loc.address, loc.postcode, loc.town, loc.accessibility_notes)
            for loc in context["course_locations"]
        )
        return context

    def groups_context(self, request):
        """One page of the groups, per location, nearest first when the visitor gave a postcode (this page and step 1).

        The postcode and the page come as GET (`postcode`, `pagina`), so a sorted list has a URL.
        """
        form = GroupPostcodeForm(request.GET if "postcode" in request.GET else None)
        # What the visitor typed, as the form shows it (with its errors): part of the key the listing's HTML is kept by.
        typed = (form.is_bound, form.data.get("postcode"))
        # Groups and the waiting list belong to the Dutch page; a translation shows the same ones.
        course = original(self)
        if self.pk is None:
            # A preview of a page that was never saved has no groups (and no waiting list) yet.
            return {
                "group_search_form": form,
                "group_search_typed": typed,
                "group_listing": availability.GroupListing(course=self),
                "waitlist_url": None,
            }
        area = form.area
        # A preview shows the draft's own facts with the groups: its page of groups is never kept for others.
        draft = getattr(request, "is_preview", False) or getattr(request, "is_dummy", False)
        listed = availability.group_listing if draft else availability.listed_groups
        return {
            "group_search_form": form,
            "group_search_typed": typed,
            "group_listing": listed(course, area=area, page=page_number(request.GET.get("pagina"))),
            "group_postcode": str(form.cleaned_data["postcode"]) if area is not None else "",
            "waitlist_url": reverse("waitlist:join", kwargs={"course_id": course.pk}),
        }


class SuitabilityQuestion(Orderable):
    """A yes/no question at sign-up. The 'wrong' answer leads to kind advice, never a dead end."""

    class Answer(models.TextChoices):
        YES = "yes", _("ja")
        NO = "no", _("nee")

    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="suitability_questions")
    question = models.CharField(_("vraag"), max_length=200, help_text=_("Bijvoorbeeld: Bent u 18 jaar of ouder?"))
    fitting_answer = models.CharField(_("antwoord dat past"), max_length=3, choices=Answer.choices, default=Answer.YES)
    advice = models.TextField(
        _("advies bij het andere antwoord"),
        max_length=600,
        help_text=_("Wat kan iemand doen als de groep niet past? Bijvoorbeeld: praat met uw huisarts of POH-GGZ."),
    )

    panels = [FieldPanel("question"), FieldPanel("fitting_answer"), FieldPanel("advice")]

    class Meta(Orderable.Meta):
        verbose_name = _("vraag bij aanmelden")
        verbose_name_plural = _("vragen bij aanmelden")

    def __str__(self):
        return self.question
