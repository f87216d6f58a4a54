"""The data of "Coming Up": `events: {title?, items: [{name, when, where?}]}` or just the list."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from printpost.models import Blurb, Label, Listing, Model


class Event(Model):
    name: Label
    when: Label
    where: Blurb | None = None


class ComingUp(Listing):
    title: Label = "Coming Up"
    items: Annotated[list[Event], Field(max_length=10)] = []
