// Go named types the Warewulf template data needs: a named string type with
// methods (WWbool), a named slice with a String() method (kernel args), and a
// function that stops execution without an error (abort).
import { describe, expect, it } from 'vitest';
import { NamedString, StopExecution, parseTemplate, stringerSlice } from '../src/index.js';

class WWbool extends NamedString {
  Bool(): boolean {
    return this.v === 'true' || this.v === 'yes';
  }
  BoolDefaultTrue(): boolean {
    return this.v === '' ? true : this.Bool();
  }
}

class Dev {
  constructor(readonly OnBoot: WWbool) {}
}

const render = (text: string, data: unknown, funcs = {}) => parseTemplate('t', text, { funcs }).execute(data);

describe('named string type', () => {
  it('prints, compares, measures and tests as its string', () => {
    const d = { on: new Dev(new WWbool('true')), off: new Dev(new WWbool('')) };
    expect(render('{{.on.OnBoot}}|{{.off.OnBoot}}|{{len .on.OnBoot}}', d)).toBe('true||4');
    expect(render('{{if .on.OnBoot}}y{{end}}{{if .off.OnBoot}}n{{end}}', d)).toBe('y');
    expect(render('{{eq .on.OnBoot "true"}} {{lt .off.OnBoot .on.OnBoot}}', d)).toBe('true true');
    expect(render('{{printf "%q %v %s" .on.OnBoot .on.OnBoot .on}}', d)).toBe('"true" true {true}');
    expect(render('{{print .on.OnBoot .on.OnBoot}}', d)).toBe('truetrue'); // strings get no separator
  });

  it('calls its methods; its underlying value is not a field', () => {
    const d = { on: new Dev(new WWbool('yes')), off: new Dev(new WWbool('')) };
    expect(render('{{.on.OnBoot.Bool}} {{.off.OnBoot.Bool}} {{.off.OnBoot.BoolDefaultTrue}}', d)).toBe('true false true');
    expect(() => render('{{.on.OnBoot.v}}', d)).toThrow("can't evaluate field v in type WWbool");
  });
});

describe('named slice with a String method', () => {
  it('prints through String, ranges and indexes as a slice', () => {
    const args = stringerSlice(['quiet', 'crashkernel=no'], 'node.KernelArgs', (a) => a.join(' '));
    const d = { Args: args };
    expect(render('{{.Args}}|{{range .Args}}<{{.}}>{{end}}|{{index .Args 1}}|{{len .Args}}', d)).toBe(
      'quiet crashkernel=no|<quiet><crashkernel=no>|crashkernel=no|2',
    );
    expect(render('{{printf "%T %v" .Args .}}', d)).toBe('node.KernelArgs map[Args:quiet crashkernel=no]');
    expect(JSON.stringify(args)).toBe('["quiet","crashkernel=no"]');
  });
});

describe('StopExecution', () => {
  it('passes through the executor unwrapped; output streamed so far stays', () => {
    let out = '';
    const t = parseTemplate('t', 'a{{stop}}b', {
      funcs: {
        stop: () => {
          throw new StopExecution('abort');
        },
      },
    });
    expect(() => t.execute(null, { sink: { write: (s) => (out += s) } })).toThrow(StopExecution);
    expect(out).toBe('a');
  });

  it('an ordinary exception is still a template error', () => {
    expect(() => render('{{boom}}', null, { boom: () => { throw new Error('x'); } })).toThrow(
      'template: t:1:2: executing "t" at <boom>: error calling boom: x',
    );
  });
});
