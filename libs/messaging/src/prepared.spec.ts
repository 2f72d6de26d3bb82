import { preparedStatement } from './prepared';

describe('preparedStatement', () => {
  it('names a statement by its base and its text: the same text the same name, another text another name', () => {
    const a = preparedStatement('mxs_thing', 'SELECT 1');
    expect(a).toEqual({ name: preparedStatement('mxs_thing', 'SELECT 1').name, text: 'SELECT 1' });
    expect(a.name).toMatch(/^mxs_thing_[0-9a-f]{12}$/);
    expect(preparedStatement('mxs_thing', 'SELECT 2').name).not.toBe(a.name);
  });

  it('refuses a base PostgreSQL would cut short or fold', () => {
    expect(() => preparedStatement('x'.repeat(51), 'SELECT 1')).toThrow(/at most 50/);
    expect(() => preparedStatement('Mxs_Thing', 'SELECT 1')).toThrow(/lower-case/);
    expect(preparedStatement('x'.repeat(50), 'SELECT 1').name).toHaveLength(63);
  });
});
