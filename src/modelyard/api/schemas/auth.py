from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from modelyard.api.schemas.common import UserRead


class TokenCreate(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    name: str = Field(
        default="api", max_length=100, description="A label to recognise the token by."
    )


class TokenRead(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown only once.")
    token_id: int
    expires_at: datetime
    user: UserRead
