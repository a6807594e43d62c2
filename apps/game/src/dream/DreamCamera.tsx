/**
 * The dream camera inset: each dream step's predicted frame drawn by the diffusion decoder
 * (models/ `cameras`, onnxruntime-web in its own worker) as the 64 × 64 agent view, with the
 * milliseconds per frame. The canvas carries the tokens and step of the frame it shows.
 */
import { useEffect, useRef, useState } from 'react';
import { type CameraFrame, CameraClient } from './camera-client.ts';

let shared: CameraClient | null = null;

export function DreamCamera({ tokens, step }: { tokens: number[]; step: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [shown, setShown] = useState<Omit<CameraFrame, 'rgb'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [backend, setBackend] = useState('');

  useEffect(() => {
    shared ??= new CameraClient(new URL('models/manifest.json', document.baseURI).href);
    const client = shared;
    client.loaded.then(
      () => setBackend(client.backend),
      (e: Error) => setError(e.message),
    );
    client.onFrame = (f) => {
      const ctx = canvas.current?.getContext('2d');
      if (!ctx) return;
      const img = ctx.createImageData(64, 64);
      for (let p = 0; p < 64 * 64; p++) {
        img.data[p * 4] = f.rgb[p * 3];
        img.data[p * 4 + 1] = f.rgb[p * 3 + 1];
        img.data[p * 4 + 2] = f.rgb[p * 3 + 2];
        img.data[p * 4 + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
      setShown({ tokens: f.tokens, step: f.step, ms: f.ms });
    };
    client.onError = setError;
    return () => {
      client.onFrame = null;
      client.onError = null;
    };
  }, []);

  useEffect(() => {
    shared?.render(tokens, step);
  }, [tokens, step]);

  return (
    <div className="flex flex-col gap-1" title={`dream camera: a diffusion decoder of the dreamed frame (${backend})`}>
      <span>
        dream camera ·{' '}
        <span className="tabular-nums" data-testid="dream-camera-ms">
          {error ? 'unavailable' : shown ? `${shown.ms.toFixed(1)} ms/frame` : '…'}
        </span>
      </span>
      <canvas
        ref={canvas}
        width={64}
        height={64}
        data-testid="dream-camera"
        data-step={shown?.step ?? -1}
        data-tokens={shown?.tokens.join(',') ?? ''}
        data-backend={backend}
        className="h-32 w-32 rounded bg-black/60"
        style={{ imageRendering: 'pixelated' }}
      />
    </div>
  );
}
