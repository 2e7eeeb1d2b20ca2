/**
 * Plain DOM stand-ins for @tarojs/components in component tests: the same props a page passes,
 * rendered as elements Testing Library can find and click.
 */
import type { CSSProperties, ReactNode } from 'react';

type Props = { children?: ReactNode; className?: string; onClick?: () => void; style?: CSSProperties; [key: string]: unknown };

const pick = ({ children, className, onClick, style, ...rest }: Props) => {
  const attributes = Object.fromEntries(Object.entries(rest).filter(([key]) => key.startsWith('data-') || key.startsWith('aria-') || key === 'role'));
  return { children, className, onClick, style, ...attributes };
};

export const View = (props: Props) => <div {...pick(props)} />;
export const Text = (props: Props) => <span {...pick(props)} />;
export const Button = ({ disabled, ...props }: Props & { disabled?: boolean }) => <button type="button" disabled={disabled} {...pick(props)} />;
export const Image = ({ src, className }: { src: string; className?: string }) => <img src={src} className={className} alt="" />;

/** Taro's Input reports typing as onInput({ detail: { value } }). */
export const Input = ({
  value,
  onInput,
  placeholder,
  className,
  ...rest
}: Props & { value?: string; placeholder?: string; onInput?: (event: { detail: { value: string } }) => void }) => (
  <input
    className={className}
    value={value}
    placeholder={placeholder}
    onChange={(event) => onInput?.({ detail: { value: event.target.value } })}
    {...Object.fromEntries(Object.entries(rest).filter(([key]) => key.startsWith('data-')))}
  />
);

/** Taro's Textarea reports typing like its Input. */
export const Textarea = ({
  value,
  onInput,
  placeholder,
  className,
  ...rest
}: Props & { value?: string; placeholder?: string; onInput?: (event: { detail: { value: string } }) => void }) => (
  <textarea
    className={className}
    value={value}
    placeholder={placeholder}
    onChange={(event) => onInput?.({ detail: { value: event.target.value } })}
    {...Object.fromEntries(Object.entries(rest).filter(([key]) => key.startsWith('data-')))}
  />
);

/** Taro's Canvas: a plain canvas element (the mini-program draws on it through a selector query). */
export const Canvas = ({ id, className }: Props & { id?: string }) => <canvas id={id} className={className} />;
