"""What a customer sends to prove ownership, per account type (backend/config/documents.yml)."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends

from ...documents import documents_for
from ..deps import ServicesDep, assistant
from ..errors import answers
from ..schemas import DocumentsAnswer

router = APIRouter(prefix="/api/v1/documents", tags=["documents"], dependencies=[Depends(assistant)])


@router.get("", response_model=DocumentsAnswer, responses=answers(403))
def list_documents(account_type: Literal["private", "company"], services: ServicesDep,
                   language: Literal["pl", "en"] = "pl") -> dict[str, Any]:
    return documents_for(services.documents, account_type, language)
