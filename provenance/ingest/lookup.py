"""ingest() and check(): read, split, fingerprint, store, link; each a list of named stages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.config import Settings
from provenance.errors import ExtractionError
from provenance.graph.chain import Chain, chain_rows, source_chain
from provenance.ingest.prepare import Fingerprinter, prepare
from provenance.ingest.writer import IngestReport, _store_batch
from provenance.knowledge.registry import load_registry
from provenance.read.document import Failure
from provenance.read.inputs import iter_documents
from provenance.store.schema import Article
from provenance.store.store import Store
from provenance.text.normalize import load_patterns

# ---- chains ------------------------------------------------------------------------------


def _stored_article(store: Store, session: Session, reference: str, settings: Settings) -> Article:
    """The stored article a reference names: an id, a URL, a file name, or a file or URL to ingest first."""
    from pathlib import Path

    from provenance.read.inputs import is_url

    stored_at_url = store.articles_at_urls(session, [reference]) if is_url(reference) else []
    if stored_at_url:
        return stored_at_url[0]
    if is_url(reference) or Path(reference).is_file():
        fingerprinter = Fingerprinter(settings)
        for document in iter_documents([reference], settings.max_file_bytes, allow_private_urls=settings.allow_private_urls):
            if isinstance(document, Failure):
                raise ExtractionError(document.reason, document.origin)
            item = prepare(document, load_patterns(settings.patterns_file), fingerprinter)
            if not store.known_identity_keys(session, [item.identity_key]):
                _store_batch(store, [item], fingerprinter, IngestReport())
            found = session.scalars(select(Article).where(Article.identity_key == item.identity_key)).first()
            if found is not None:
                return found
    return store.find_article(session, reference)


def chain_for(store: Store, reference: str, settings: Settings | None = None) -> Chain:
    """Build, store and return the source chain of an article (by id, URL, file name, or a file to ingest)."""
    settings = settings or Settings()
    registry = load_registry(settings.sources_file)
    with store.transaction() as session:
        article = _stored_article(store, session, reference, settings)
        chain = source_chain(session, store, article, registry)
        store.replace_chain(session, article.id, chain_rows(chain))
        _ = [a.sentence for a in article.attributions]
    return chain


def article_quotes(store: Store, reference: str) -> Article:
    """A stored article (by id, URL or file name) with its quotations loaded."""
    with store.reading() as session:
        article = store.find_article(session, reference)
        _ = [quote.text for quote in article.quotes]
    return article
