interface PagerProps {
  nextCursor: string | null;
  isFirstPage?: boolean;
  onNext: (cursor: string) => void;
  onFirst: () => void;
}

/** Cursor pages only go forward; "First page" starts over. */
export function Pager({ nextCursor, isFirstPage = false, onNext, onFirst }: PagerProps): React.JSX.Element {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={isFirstPage} onClick={onFirst}>
        First page
      </button>
      <button type="button" disabled={nextCursor === null} onClick={() => nextCursor !== null && onNext(nextCursor)}>
        Next
      </button>
    </nav>
  );
}
