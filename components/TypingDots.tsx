/** Animated dots with who is typing, e.g. "Bob is typing". */
export function TypingDots({ names }: { names: string[] }) {
  if (names.length === 0) return null;
  const label = `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing`;
  return (
    <span className="typing" data-typing={names.join(',')} aria-label={label} title={label}>
      <span className="dots" aria-hidden="true">
        <i />
        <i />
        <i />
      </span>
      <span className="typing-label">{label}…</span>
    </span>
  );
}
