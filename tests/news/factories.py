"""Factories for news pages, subscribers and mailings."""

import datetime

import factory
import wagtail_factories
from django.utils import timezone
from factory.django import DjangoModelFactory

from news import consent
from news.models import Mailing, MailingItem, NewsIndexPage, NewsPage, Subscriber, SubscriberList
from tests.factories import HomePageFactory


class NewsIndexPageFactory(wagtail_factories.PageFactory):
    title = "Nieuws"
    slug = "nieuws"
    parent = factory.SubFactory(HomePageFactory)

    class Meta:
        model = NewsIndexPage
        django_get_or_create = ("slug", "parent")


class NewsPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Nieuwsbericht {n}")
    summary = "Kort nieuws over de trainingen."
    date = factory.LazyFunction(timezone.localdate)
    body = factory.LazyFunction(lambda: [("paragraph", "<p>Het hele bericht.</p>")])
    parent = factory.SubFactory(NewsIndexPageFactory)

    class Meta:
        model = NewsPage


def professional_news(**fields):
    return NewsPageFactory(audience=NewsPage.Audience.PROFESSIONALS, **fields)


class SubscriberFactory(DjangoModelFactory):
    newsletter = SubscriberList.PATIENTS
    email = factory.Sequence(lambda n: f"lezer{n}@example.nl")
    status = Subscriber.Status.CONFIRMED
    consent_text_version = consent.VERSION
    consent_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))
    confirmed_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))

    class Meta:
        model = Subscriber


def mailing_with(*pages, newsletter=SubscriberList.PATIENTS, title="Nieuwsbrief december"):
    mailing = Mailing.objects.create(title=title, newsletter=newsletter, intro="Dit is er nieuw.")
    for order, page in enumerate(pages):
        MailingItem.objects.create(mailing=mailing, page=page, sort_order=order)
    return mailing
